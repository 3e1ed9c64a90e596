"""The `riskhub` command as a user runs it: simulate, materialise, regenerate the docs."""

import dagster as dg
import duckdb

from riskhub_assets import cli
from riskhub_assets.lib import settings


def test_simulate_then_materialise_records_the_run_for_the_ui(isolated_data, tmp_path):
    assert (
        cli.main(
            [
                "simulate",
                "--start",
                "2025-02-03",
                "--end",
                "2025-02-04",
                "--clients",
                "40",
                "--tx-per-client",
                "1.5",
                "--out",
                str(isolated_data),
            ]
        )
        == 0
    )
    assert cli.main(["materialise", "--start", "2025-02-03", "--end", "2025-02-04", "--job", "daily_spine"]) == 0
    assert "default_limit: 1" in (settings.dagster_home() / "dagster.yaml").read_text()
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs()
    assert [r.job_name for r in runs] == ["daily_spine"] and runs[0].is_success
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        days = con.execute("SELECT count(DISTINCT transaction_date) FROM warehouse.fact_transactions").fetchone()[0]
    assert days == 2

    docs = tmp_path / "docs"
    assert cli.main(["docs", "--out", str(docs)]) == 0
    svg = (docs / "star_schema.svg").read_text()
    assert "warehouse.fact_transactions" in svg and "warehouse.dim_client" in svg
    assert "`transactions.csv`" in (docs / "landing_contract.md").read_text()


def test_committed_landing_contract_doc_matches_the_code():
    from pathlib import Path

    from riskhub_assets.lib.docs import landing_contract_markdown

    committed = Path(__file__).parents[1] / "docs" / "landing_contract.md"
    assert committed.read_text() == landing_contract_markdown(), "run `riskhub docs` to regenerate docs/"


def test_committed_report_schema_matches_the_code():
    from pathlib import Path

    from riskhub_assets.lib.docs import report_schema_json

    committed = Path(__file__).parents[1] / "docs" / "daily_report.schema.json"
    assert committed.read_text() == report_schema_json(), "run `riskhub docs` to regenerate docs/"
