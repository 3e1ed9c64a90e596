"""The daily JSON report: the day's KPIs, the models that scored it, score distributions, top alerts and checks."""

import datetime as dt
import json
import os
from pathlib import Path

import duckdb

from riskhub_assets.lib.report_schema import SCHEMA_VERSION, validate_report
from riskhub_assets.lib.sql_files import read_sql
from riskhub_assets.lib.sql_reads import tables_read

TOP_ALERTS = 10
QUERIES = (
    "portfolio",
    "transactions_by_channel",
    "models",
    "default_by_grade",
    "exposure_by_grade",
    "churn_by_band",
    "anomalies",
    "top_alerts",
)
"""The report's sections, each read by sql/report/<name>.sql."""


def upstream() -> list[str]:
    """Every table the report reads (marts, score tables, the transactions of its top alerts), as its SQL says."""
    return sorted(set().union(*(tables_read(read_sql("report", name)) for name in QUERIES)))


def _records(con: duckdb.DuckDBPyConnection, name: str, day: dt.date, **parameters) -> list[dict]:
    """The rows of sql/report/<name>.sql (one of QUERIES) for business day `day`, JSON-ready."""
    if name not in QUERIES:
        raise ValueError(f"report query {name} is not in lib/report.py QUERIES: the report's upstream would miss it")
    cursor = con.execute(read_sql("report", name), {"day": day, **parameters})
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
    portfolio = _records(con, "portfolio", day)
    if not portfolio:
        raise ValueError(f"no portfolio KPIs for {day}: materialise the day's marts first")
    return {
        "schema_version": SCHEMA_VERSION,
        "business_date": day.isoformat(),
        "generated_at": generated_at.isoformat(),
        "portfolio": portfolio[0],
        "transactions_by_channel": _records(con, "transactions_by_channel", day),
        "models": _records(con, "models", day),
        "default_by_grade": _records(con, "default_by_grade", day),
        "exposure_by_grade": _records(con, "exposure_by_grade", day),
        "churn_by_band": _records(con, "churn_by_band", day),
        "anomalies": {
            **_records(con, "anomalies", day)[0],
            "top_alerts": _records(con, "top_alerts", day, top_alerts=TOP_ALERTS),
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
