"""KPI marts, the daily JSON report and the BI database, on tiny simulated days with score tables filled in."""

import json

import duckdb
import jsonschema
import pandas as pd
import pytest

from riskhub_assets.lib import settings
from riskhub_assets.lib.publish import BI_DATABASE, publish_database
from riskhub_assets.lib.report_schema import validate_report
from riskhub_assets.orchestration.runs import failed_checks, run_business_days
from riskhub_assets_tests.scored_bank import DAY1, DAY2, scored_bank


@pytest.fixture
def scored_days(isolated_data):
    return scored_bank(isolated_data)


def _blocking(result) -> list:
    return [(c.asset_key.to_user_string(), c.check_name) for c in failed_checks(result) if c.severity.value == "ERROR"]


def test_marts_reconcile_with_the_star_schema_and_the_report_follows_its_schema(scored_days):
    result = run_business_days(scored_days, DAY1, DAY2, job="daily_reporting")
    assert result.success and _blocking(result) == []
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        assert (
            con.execute(
                """SELECT business_date, sum(transactions), sum(value) FROM marts.transaction_kpis GROUP BY ALL
               ORDER BY 1"""
            ).fetchall()
            == con.execute(
                "SELECT transaction_date, count(*), sum(amount) FROM warehouse.fact_transactions GROUP BY ALL ORDER BY 1"
            ).fetchall()
        )
        portfolio = con.execute("SELECT business_date, active_accounts FROM marts.portfolio_kpis ORDER BY 1").fetchall()
        open_accounts = con.execute(
            "SELECT snapshot_date, count(*) FROM warehouse.fact_account_balances WHERE is_open GROUP BY 1 ORDER BY 1"
        ).fetchall()
        assert portfolio == open_accounts
        flagged = con.execute("SELECT sum(flagged) FROM marts.anomaly_kpis WHERE transaction_date = ?", [DAY2])
        assert flagged.fetchone()[0] == 5
        described = con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'marts' AND (comment IS NULL OR comment = '')"
        ).fetchone()[0]
        assert described == 0  # every mart column tells BI what it means

    report = json.loads((settings.reports_dir() / f"daily_report_{DAY2}.json").read_text())
    validate_report(report)
    assert report["business_date"] == DAY2.isoformat()
    assert {m["score_table"]: m["version"] for m in report["models"]} == {
        "default_scores": "3",
        "churn_scores": "2",
        "anomaly_flags": "1",
    }
    assert len(report["anomalies"]["top_alerts"]) == 5
    assert report["checks"]["passed"] > 0 and report["checks"]["failed"] == 0
    with pytest.raises(jsonschema.ValidationError, match="active_clients"):
        validate_report({**report, "portfolio": {**report["portfolio"], "active_clients": -1}})

    rerun = run_business_days(scored_days, DAY2, DAY2, job="daily_reporting")
    assert rerun.success
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.portfolio_kpis").fetchone()[0] == 2  # replaced, not added


def test_a_bi_reader_holding_the_published_file_open_does_not_block_the_next_run(scored_days):
    assert run_business_days(scored_days, DAY1, DAY1, job="daily_reporting").success
    published = settings.bi_dir() / BI_DATABASE
    reader = duckdb.connect(str(published), read_only=True)
    try:
        before = reader.execute("SELECT count(*) FROM marts.portfolio_kpis").fetchone()[0]
        result = run_business_days(scored_days, DAY2, DAY2, job="daily_reporting")
        assert result.success and _blocking(result) == []
        assert reader.execute("SELECT count(*) FROM marts.portfolio_kpis").fetchone()[0] == before == 1
    finally:
        reader.close()
    with duckdb.connect(str(published), read_only=True) as fresh:
        assert fresh.execute("SELECT count(*) FROM marts.portfolio_kpis").fetchone()[0] == 2
        tables = {
            r[0] for r in fresh.execute("SELECT schema_name || '.' || table_name FROM duckdb_tables()").fetchall()
        }
        columns = {r[0] for r in fresh.execute("SELECT column_name FROM duckdb_columns()").fetchall()}
    assert {"marts.transaction_kpis", "scores.default_scores", "scores.anomaly_view", "dims.client"} <= tables
    assert not {"full_name_pseudonym", "birth_date", "annual_income", "email_pseudonym"} & columns
    csv = settings.bi_dir() / "csv" / "portfolio_kpis" / f"portfolio_kpis_{DAY2}.csv"
    assert pd.read_csv(csv)["business_date"].tolist() == [DAY2.isoformat()]
    assert len(pd.read_parquet(settings.bi_dir() / "parquet" / "portfolio_kpis.parquet")) == 2


def test_the_next_publish_survives_a_killed_one_and_follows_schema_changes(scored_days):
    assert run_business_days(scored_days, DAY1, DAY2, job="daily_reporting").success
    published = settings.bi_dir() / BI_DATABASE
    with duckdb.connect(str(published)) as bi:
        bi.execute("CREATE TABLE marts.retired_mart AS SELECT 1 AS x")  # a table no longer published
    (settings.bi_dir() / f".{BI_DATABASE}.partial.wal").write_bytes(b"left by a killed publish")
    with duckdb.connect(str(settings.duckdb_path())) as con:
        con.execute("ALTER TABLE marts.portfolio_kpis ADD COLUMN dormant_accounts BIGINT DEFAULT 0")
        publication = publish_database(con, settings.bi_dir(), DAY2, DAY2)
    assert publication.unreconciled == {} and publication.personal_columns == []
    with duckdb.connect(str(published), read_only=True) as bi:
        assert bi.execute("SELECT count(dormant_accounts) FROM marts.portfolio_kpis").fetchone()[0] == 2
        assert bi.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'retired_mart'").fetchone()[0] == 0
