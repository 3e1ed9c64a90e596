"""RiskHub dashboard: the day's KPIs and trends, credit and churn risk, transaction alerts, client lookup, customer
insights (next-best products, churn actions, manager and branch performance), CSV scoring.

streamlit run riskhub_assets/dashboard/app.py
"""

import io
import json
import urllib.error
import urllib.request

import altair as alt
import pandas as pd
import streamlit as st

from riskhub_assets.dashboard import api_client, queries
from riskhub_assets.dashboard.api_client import API_URL
from riskhub_assets.lib.spreadsheet import safe_csv

BATCH = 10_000  # rows per /predict/batch request: the API's cap (a bare string here would show on the page)


def _score_file(model: str, rows: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Rows typed as the model's signature says (codes stay text), sent in batches the API accepts."""
    types = api_client.call("/model/info")[model]["input_types"]
    typed = rows.copy()
    for column, kind in types.items():
        if kind == "number" and column in typed:
            try:
                typed[column] = pd.to_numeric(typed[column])
            except ValueError:
                pass  # left as text: the API answers 422 naming the row and column
    records = json.loads(typed.to_json(orient="records"))
    answers = [
        api_client.call("/predict/batch", {"model": model, "rows": records[i : i + BATCH]})
        for i in range(0, len(records), BATCH)
    ]
    results = pd.DataFrame([r for a in answers for r in a["results"]])
    return pd.concat([rows, results.drop(columns=[c for c in results if c in rows])], axis=1), answers[0]


st.set_page_config(page_title="RiskHub", layout="wide")
st.title("RiskHub")

if not queries.bi_database().exists():
    st.error(f"No published BI database at {queries.bi_database()}: run the daily job first (`riskhub demo`).")
    st.stop()

days = queries.business_days()
if not days:
    st.error("The BI database holds no business day yet: run the daily job first.")
    st.stop()
day = st.sidebar.selectbox("Business day", days, format_func=lambda d: d.isoformat())
st.sidebar.caption(f"Reading {queries.bi_database()} (read-only copy published after each run)")

kpis, risk, alerts, lookup, offers, performance, upload = st.tabs(
    ["KPIs", "Credit & churn risk", "Alerts", "Client lookup", "Recommendations", "Performance", "Score a CSV"]
)

with kpis:
    trend = queries.portfolio_trend()
    today = trend[trend["business_date"].dt.date == day].iloc[0]
    before = trend[trend["business_date"].dt.date < day].tail(1)
    columns = st.columns(6)
    for column, name in zip(
        columns,
        ["active_clients", "active_accounts", "new_accounts", "closed_accounts", "transacting_clients", "defaults"],
    ):
        delta = int(today[name] - before[name].iloc[0]) if len(before) else None
        column.metric(name.replace("_", " ").capitalize(), f"{int(today[name]):,}", delta)
    st.subheader("Portfolio over time")
    st.line_chart(trend.set_index("business_date")[["active_clients", "transacting_clients"]])
    st.subheader(f"Transactions by channel on {day}")
    st.bar_chart(queries.transactions_by_channel(day).set_index("channel")["transactions"])

with risk:
    grades = queries.grades(day)
    left, right = st.columns(2)
    left.subheader("Clients by grade (A safest, I riskiest)")
    left.bar_chart(grades.set_index("grade")["clients"])
    left.dataframe(grades, hide_index=True)
    right.subheader("Churn risk bands")
    bands = queries.churn_bands(day)
    right.bar_chart(bands.set_index("risk_band")["clients"])
    right.dataframe(bands, hide_index=True)

with alerts:
    view = queries.anomalies(day)
    flagged = view[view["flagged"]]
    st.subheader(f"{len(flagged):,} transactions flagged on {day}")
    chart = (
        alt.Chart(view)
        .mark_circle()
        .encode(
            x=alt.X("account_transactions_that_day:Q", title="Transactions of the account that day"),
            y=alt.Y("amount:Q", scale=alt.Scale(type="log"), title="Amount (log scale)"),
            color=alt.Color("flagged:N", scale=alt.Scale(domain=[False, True], range=["#9aa5b1", "#d62728"])),
            tooltip=["transaction_id", "amount", "currency", "channel", "anomaly_score", "reasons"],
        )
    )
    st.altair_chart(chart, use_container_width=True)
    st.caption("Grey: a sample of unflagged transactions; red: flagged, with the features that drove each alert.")
    st.dataframe(flagged.drop(columns=["flagged"]), hide_index=True)

with lookup:
    client_id = st.text_input("Client number (client_id)")
    if client_id:
        history = queries.client_history(client_id.strip())
        if history.empty:
            st.warning(f"No scores for client {client_id}.")
        else:
            latest = history.iloc[-1]
            st.metric("Probability of default (90 days)", f"{latest['probability_of_default']:.2%}", latest["grade"])
            st.write(f"Main reasons: {latest['reasons'] or 'none'}")
            if pd.notna(latest["churn_probability"]):
                st.write(f"Churn risk: {latest['churn_probability']:.1%} ({latest['risk_band']})")
            st.line_chart(history.set_index("as_of_date")[["probability_of_default"]])
            st.dataframe(history, hide_index=True)

with offers:
    if not queries.published("scores.product_recommendations"):
        st.info("No recommendations published yet: train the product recommender (weekly training), then run the day.")
    else:
        first = queries.first_offers(day)
        st.subheader(f"First offer per client on {day}: {int(first['clients'].sum()):,} clients")
        st.bar_chart(first.set_index("product_code")["clients"])
        client_id = st.text_input("Client number for their next-best products")
        if client_id:
            products = queries.client_recommendations(client_id.strip(), day)
            if products.empty:
                st.warning(f"No recommendations for client {client_id} on {day}.")
            st.dataframe(products, hide_index=True)
    if queries.published("scores.churn_actions"):
        actions = queries.churn_actions(day)
        st.subheader(f"Churn actions: {len(actions):,} high-risk clients to contact")
        st.bar_chart(actions["action"].value_counts())
        st.dataframe(actions, hide_index=True)
        st.download_button("Download the campaign list", safe_csv(actions), f"churn_actions_{day}.csv")

with performance:
    managers = queries.managers_sent()
    if not managers:
        st.info(
            "No relationship managers sent: relationship_managers.csv is optional, and without it there is no manager"
            " or branch performance to show."
        )
    for level, title in (("manager", "Relationship managers"), ("agency", "Branches")) if managers else ():
        if not queries.published(f"scores.{level}_performance"):
            st.info(f"No {level} performance published yet: run the weekly training, then the day.")
            continue
        table = queries.performance(level, day)
        st.subheader(f"{title}: predicted performance this month (0-100, 100 = objective reached)")
        st.bar_chart(table.set_index(table.columns[0])["predicted_score"])
        st.dataframe(table, hide_index=True)
    st.caption("Model version 'naive_last_month': no model has yet beaten last month's score, which is shown instead.")

with upload:
    st.write(f"Scores each row with the champion model through the scoring API at {API_URL}.")
    model = st.selectbox("Model", ["default", "churn", "anomaly"])
    uploaded = st.file_uploader("CSV with the model's input columns (see /model/info)", type="csv")
    if uploaded is not None:
        rows = pd.read_csv(io.BytesIO(uploaded.getvalue()), dtype=str, keep_default_na=False, na_values=[""])
        try:
            scored, answer = _score_file(model, rows)
            st.success(f"{len(scored):,} rows scored by {answer['model_name']} version {answer['model_version']}")
            st.dataframe(scored, hide_index=True)
            st.download_button("Download scores", safe_csv(scored), "scores.csv", "text/csv")
        except urllib.error.HTTPError as error:
            if error.code in (401, 403):
                st.error(f"The API refused the dashboard's key ({error.code}): set RISKHUB_API_KEY to a key with the"
                         " scoring scope (`riskhub api-key dashboard --scopes scoring`) and restart the dashboard.")  # fmt: skip
            else:
                st.error(f"The API refused the file ({error.code}): {error.read().decode()[:2000]}")
        except urllib.error.URLError as error:
            st.error(f"The scoring API at {API_URL} is not reachable ({error.reason}): start it with `riskhub serve`.")
