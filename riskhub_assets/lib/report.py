"""The daily JSON report: the day's KPIs, the models that scored it, score distributions, top alerts and checks."""

import datetime as dt
import json
import os
from pathlib import Path

import duckdb

from riskhub_assets.lib.report_schema import SCHEMA_VERSION, validate_report

TOP_ALERTS = 10


def _records(con: duckdb.DuckDBPyConnection, sql: str, day: dt.date) -> list[dict]:
    cursor = con.execute(sql, {"day": day})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, [_plain(v) for v in row])) for row in cursor.fetchall()]


def _plain(value):
    """JSON-ready: decimals as floats, dates as ISO text."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str | list):
        return value
    return float(value)


def build_report(con: duckdb.DuckDBPyConnection, day: dt.date, checks: list[dict], generated_at: dt.datetime) -> dict:
    """The report of one business day, read from the KPI marts and score tables."""
    portfolio = _records(
        con, "SELECT * EXCLUDE (business_date) FROM marts.portfolio_kpis WHERE business_date = $day", day
    )
    if not portfolio:
        raise ValueError(f"no portfolio KPIs for {day}: materialise the day's marts first")
    return {
        "schema_version": SCHEMA_VERSION,
        "business_date": day.isoformat(),
        "generated_at": generated_at.isoformat(),
        "portfolio": portfolio[0],
        "transactions_by_channel": _records(
            con,
            """SELECT channel, currency, sum(transactions) AS transactions,
                      sum(value) FILTER (WHERE direction = 'debit') AS debit_value,
                      sum(value) FILTER (WHERE direction = 'credit') AS credit_value
               FROM marts.transaction_kpis WHERE business_date = $day GROUP BY ALL ORDER BY channel, currency""",
            day,
        ),
        "models": _records(
            con,
            """SELECT DISTINCT model_name AS name, model_version AS version, 'default_scores' AS score_table
               FROM scores.default_scores WHERE as_of_date = $day
               UNION ALL SELECT DISTINCT model_name, model_version, 'churn_scores'
               FROM scores.churn_scores WHERE as_of_date = $day
               UNION ALL SELECT DISTINCT model_name, model_version, 'anomaly_flags'
               FROM scores.anomaly_flags WHERE transaction_date = $day
               ORDER BY score_table""",
            day,
        ),
        "default_by_grade": _records(
            con,
            """SELECT grade, count(*) AS clients, avg(probability_of_default) AS average_probability_of_default
               FROM scores.default_scores WHERE as_of_date = $day GROUP BY grade ORDER BY grade""",
            day,
        ),
        "exposure_by_grade": _records(
            con,
            """SELECT grade, currency, exposure, expected_loss_proxy FROM marts.credit_risk_by_grade
               WHERE as_of_date = $day AND currency <> 'none' ORDER BY grade, currency""",
            day,
        ),
        "churn_by_band": _records(
            con,
            """SELECT risk_band, clients, average_churn_probability FROM marts.churn_risk_distribution
               WHERE as_of_date = $day ORDER BY average_churn_probability""",
            day,
        ),
        "anomalies": {
            **_records(
                con,
                """SELECT coalesce(sum(transactions), 0) AS transactions, coalesce(sum(flagged), 0) AS flagged,
                          coalesce(sum(flagged) / nullif(sum(transactions), 0), 0) AS alert_rate
                   FROM marts.anomaly_kpis WHERE transaction_date = $day""",
                day,
            )[0],
            "top_alerts": _records(
                con,
                f"""SELECT f.transaction_id, f.client_id, t.amount, t.currency, t.channel, f.anomaly_score,
                           list_filter([f.feature_1, f.feature_2, f.feature_3], lambda x: x IS NOT NULL) AS reasons
                    FROM scores.anomaly_flags f JOIN warehouse.fact_transactions t USING (transaction_id)
                    WHERE f.transaction_date = $day AND f.flagged
                    ORDER BY f.alert_rank LIMIT {TOP_ALERTS}""",
                day,
            ),
        },
        "checks": {
            "passed": sum(c["passed"] for c in checks),
            "failed": sum(not c["passed"] for c in checks),
            "results": checks,
        },
    }


def write_report(report: dict, directory: Path) -> Path:
    """Write the report as daily_report_<date>.json, replacing any earlier one atomically."""
    validate_report(report)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"daily_report_{report['business_date']}.json"
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(report, indent=2, allow_nan=False))  # NaN is not JSON: fail, never write it
    os.replace(partial, path)
    return path
