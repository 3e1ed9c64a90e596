"""The daily insight tables: product recommendations, performance predictions and churn actions (plain Python).

The Dagster definitions import this module for its functions: MLflow (lib.tracking) is imported when they run."""

import datetime as dt

import duckdb
import pandas as pd

from riskhub_assets.lib import churn_actions, performance, recommendations, scoring
from riskhub_assets.lib.frames import ensure_table, replace_partition
from riskhub_assets.lib.model_specs import PERFORMANCE_MODELS, RECOMMENDER
from riskhub_assets.lib.sqltext import days
from riskhub_assets.lib.training import KEYS
from riskhub_assets.tables import table


def load_recommendations(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> None:
    """Replace the days start..end of scores.product_recommendations by the champion recommender's top products for each client and day.

    Raises tracking.NoChampion while no recommender has beaten the most-held baseline.
    """
    from riskhub_assets.lib import tracking

    model, version = tracking.champion_model(RECOMMENDER)
    frames = [
        recommendations.recommendation_rows(model, recommendations.recommender_inputs(con, day)).assign(as_of_date=day)
        for day in days(start, end)
    ]
    frame = pd.concat(frames, ignore_index=True).assign(model_name=RECOMMENDER, model_version=version)
    replace_partition(con, "scores.product_recommendations", frame, "as_of_date", start, end)


def load_performance_predictions(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, level: str) -> None:
    """Replace the days start..end of scores.<level>_performance by each manager's or branch's predicted score for the current month:
    from the champion model, or last month's score (labelled as the naive forecast) while no model has beaten it."""
    from riskhub_assets.lib import tracking

    version = tracking.champion_version(PERFORMANCE_MODELS[level])
    model = tracking.load_version(PERFORMANCE_MODELS[level], version) if version else None
    frames = [
        performance.predictions(model, performance.monthly_frame(con, level, day), level, day.replace(day=1)).assign(
            as_of_date=day
        )
        for day in days(start, end)
    ]
    frame = pd.concat(frames, ignore_index=True).assign(model_version=version or performance.NAIVE)
    replace_partition(con, f"scores.{level}_performance", frame, "as_of_date", start, end)


def _actions(inputs: pd.DataFrame, columns: list[str]) -> list[pd.DataFrame]:
    """Per day and churn model version: the action answering each high-risk client's main driver, measured against
    the typical low-risk client of that day."""
    from riskhub_assets.lib import tracking

    frames = []
    for (day, version), today in inputs.groupby([inputs["as_of_date"].dt.date, "model_version"]):
        model = tracking.load_version(today["model_name"].iloc[0], version)
        X = today[columns]
        at_risk = (today["risk_band"] == "high").to_numpy()
        if not at_risk.any():
            continue
        reference = churn_actions.reference_client(X, (today["risk_band"] == "low").to_numpy())
        actions = churn_actions.choose_actions(*churn_actions.driver_effects(model, X[at_risk], reference))
        frames.append(
            pd.concat([today.loc[at_risk, ["client_id", "churn_probability"]], actions], axis=1).assign(
                as_of_date=day, model_version=version
            )
        )
    return frames


def _offers(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Each client's first recommended product and their manager, per day start..end."""
    offers = con.execute(
        "SELECT r.as_of_date, r.client_id, r.product_code AS offer_product, c.manager_id"
        " FROM scores.product_recommendations r JOIN warehouse.dim_client c USING (client_id)"
        " WHERE r.rank = 1 AND r.as_of_date BETWEEN $start AND $end",
        {"start": start, "end": end},
    ).df()
    offers["as_of_date"] = offers["as_of_date"].dt.date
    return offers


def load_churn_actions(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> None:
    """Replace the days start..end of scores.churn_actions (its declared columns) by the intervention, the product to
    offer and the manager to act for each high-churn-risk client and day."""
    declared = table("scores.churn_actions")
    columns = [c.name for c in declared.columns]
    scores = con.execute(
        "SELECT as_of_date, client_id, churn_probability, risk_band, model_name, model_version"
        " FROM scores.churn_scores WHERE as_of_date BETWEEN $start AND $end",
        {"start": start, "end": end},
    ).df()
    features = scoring.client_features(con, start, end)
    inputs = features.merge(scores, on=["as_of_date", "client_id"])
    frames = _actions(inputs, [c for c in features.columns if c not in KEYS])
    if frames:
        frame = pd.concat(frames, ignore_index=True).merge(
            _offers(con, start, end), on=["as_of_date", "client_id"], how="left"
        )
    else:  # no high churn risk on these days: nothing to write, the typed table below still stands
        frame = pd.DataFrame(columns=columns)
    ensure_table(con, declared.name, declared.ddl_columns)
    replace_partition(con, declared.name, frame[columns], "as_of_date", start, end)
