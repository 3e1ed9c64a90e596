"""What the dashboard shows, read from the published BI database (read-only, one short connection per read)."""

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from riskhub_assets.lib import settings
from riskhub_assets.lib.publish import BI_DATABASE


def bi_database() -> Path:
    """The published copy the dashboard reads; never the pipeline's own file."""
    return settings.bi_dir() / BI_DATABASE


def read(sql: str, params: list | None = None, path: Path | None = None) -> pd.DataFrame:
    """Run a query on the BI database and close it at once, so a newer published copy is picked up next time."""
    with duckdb.connect(str(path or bi_database()), read_only=True) as con:
        return con.execute(sql, params or []).df()


def business_days(path: Path | None = None) -> list[dt.date]:
    days = read("SELECT business_date FROM marts.portfolio_kpis ORDER BY 1 DESC", path=path)
    return [d.date() for d in pd.to_datetime(days["business_date"])]


def portfolio_trend(path: Path | None = None) -> pd.DataFrame:
    return read("SELECT * FROM marts.portfolio_kpis ORDER BY business_date", path=path)


def transactions_by_channel(day: dt.date, path: Path | None = None) -> pd.DataFrame:
    return read(
        """SELECT channel, sum(transactions) AS transactions, sum(clients) AS client_days
           FROM marts.transaction_kpis WHERE business_date = ? GROUP BY channel ORDER BY transactions DESC, channel""",
        [day],
        path,
    )


def grades(day: dt.date, path: Path | None = None) -> pd.DataFrame:
    return read(
        """SELECT grade, count(*) AS clients, avg(probability_of_default) AS average_pd
           FROM scores.default_scores WHERE as_of_date = ? GROUP BY grade ORDER BY grade""",
        [day],
        path,
    )


def churn_bands(day: dt.date, path: Path | None = None) -> pd.DataFrame:
    return read(
        """SELECT risk_band, clients, average_churn_probability FROM marts.churn_risk_distribution
           WHERE as_of_date = ? ORDER BY average_churn_probability, risk_band""",
        [day],
        path,
    )


def anomalies(day: dt.date, path: Path | None = None) -> pd.DataFrame:
    return read(
        """SELECT transaction_id, amount, currency, channel, account_transactions_that_day, anomaly_score, flagged,
                  alert_rank, concat_ws(', ', feature_1, feature_2, feature_3) AS reasons
           FROM scores.anomaly_view WHERE transaction_date = ? ORDER BY anomaly_score DESC, transaction_id""",
        [day],
        path,
    )


def client_history(client_id: str, path: Path | None = None) -> pd.DataFrame:
    return read(
        """SELECT d.as_of_date, d.probability_of_default, d.score_points, d.grade,
                  concat_ws(', ', d.reason_1, d.reason_2, d.reason_3) AS reasons, c.churn_probability, c.risk_band
           FROM scores.default_scores d
           LEFT JOIN scores.churn_scores c USING (as_of_date, client_id)
           WHERE d.client_id = ? ORDER BY d.as_of_date""",
        [client_id],
        path,
    )


def published(table: str, path: Path | None = None) -> bool:
    """Whether the BI database holds this table (customer insights appear once their models are trained)."""
    schema, name = table.split(".")
    found = read(
        "SELECT count(*) AS n FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?", [schema, name], path
    )
    return bool(found["n"][0])


def managers_sent(path: Path | None = None) -> bool:
    """Whether the bank sent any relationship managers (relationship_managers.csv is optional)."""
    return published("dims.manager", path) and bool(read("SELECT count(*) AS n FROM dims.manager", path=path)["n"][0])


def first_offers(day: dt.date, path: Path | None = None) -> pd.DataFrame:
    return read(
        """SELECT r.product_code, p.product_name, count(*) AS clients, avg(r.score) AS average_score
           FROM scores.product_recommendations r LEFT JOIN dims.product p USING (product_code)
           WHERE r.as_of_date = ? AND r.rank = 1 GROUP BY ALL ORDER BY clients DESC, r.product_code""",
        [day],
        path,
    )


def client_recommendations(client_id: str, day: dt.date, path: Path | None = None) -> pd.DataFrame:
    return read(
        """SELECT r.rank, r.product_code, p.product_name, r.score, r.reason
           FROM scores.product_recommendations r LEFT JOIN dims.product p USING (product_code)
           WHERE r.client_id = ? AND r.as_of_date = ? ORDER BY r.rank""",
        [client_id, day],
        path,
    )


def churn_actions(day: dt.date, path: Path | None = None) -> pd.DataFrame:
    return read(
        """SELECT client_id, manager_id, churn_probability, action, main_driver, offer_product,
                  expected_risk_reduction, action_description
           FROM scores.churn_actions WHERE as_of_date = ? ORDER BY churn_probability DESC, client_id""",
        [day],
        path,
    )


def performance(level: str, day: dt.date, path: Path | None = None) -> pd.DataFrame:
    key = {"manager": "manager_id", "agency": "agency_id"}[level]
    names = "a.agency_name, a.region, " if level == "agency" else "m.agency_id, "
    joined = (
        "LEFT JOIN dims.agency a USING (agency_id)"
        if level == "agency"
        else "LEFT JOIN dims.manager m USING (manager_id)"
    )
    return read(
        f"""SELECT s.{key}, {names}s.monthly_sales_objective, s.score_last_month, s.predicted_score, s.model_version
            FROM scores.{level}_performance s {joined} WHERE s.as_of_date = ? ORDER BY s.predicted_score DESC, s.{key}""",
        [day],
        path,
    )
