"""Every column documented where users look: the Dagster UI, the warehouse and the BI database, from the registry."""

from pathlib import Path

import duckdb

from riskhub_assets.definitions import build_defs
from riskhub_assets.lib import labels, settings
from riskhub_assets.lib.docs import star_schema_markdown
from riskhub_assets.lib.frames import replace_table
from riskhub_assets.lib.publish import BI_DATABASE
from riskhub_assets.orchestration.runs import run_business_days
from riskhub_assets.orchestration.table_assets import asset_key
from riskhub_assets.tables import personal_columns, registry, table
from riskhub_assets_tests.scored_bank import DAY1, DAY2, scored_bank

LABELS = table("features.client_labels")
UNDESCRIBED = """
SELECT 'table ' || schema_name || '.' || table_name FROM duckdb_tables()
WHERE NOT internal AND coalesce(comment, '') = ''
UNION ALL
SELECT 'column ' || schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns()
WHERE NOT internal AND coalesce(comment, '') = ''
ORDER BY 1
"""


def _undescribed(path) -> list[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return [name for (name,) in con.execute(UNDESCRIBED).fetchall()]


def _materializations(*results) -> list:
    return [m for result in results for m in result.get_asset_materialization_events()]


def test_every_table_and_column_is_described_in_the_warehouse_the_bi_database_and_every_materialization(isolated_data):
    defs = scored_bank(isolated_data)
    spine = run_business_days(defs, DAY1, DAY2)  # a range of days: one event per partition, each with its schema
    reporting = run_business_days(defs, DAY2, DAY2, job="daily_reporting")
    assert spine.success and reporting.success

    assert _undescribed(settings.duckdb_path()) == []
    with duckdb.connect(str(settings.duckdb_path())) as con:  # built by the weekly training, not by this run
        assert _labels_as_built(con) == [(c.name, c.type) for c in LABELS.columns]
    assert _undescribed(settings.bi_dir() / BI_DATABASE) == []

    tables = {asset_key(t.name): t for t in registry().values()}
    events = [e for e in _materializations(spine, reporting) if e.asset_key in tables]
    assert {e.asset_key for e in events} >= {asset_key("warehouse.fact_transactions"), asset_key("marts.anomaly_kpis")}
    for event in events:
        materialization = event.step_materialization_data.materialization
        schema = materialization.metadata["dagster/column_schema"].schema
        undescribed = [c.name for c in schema.columns if not c.description]
        assert schema.columns and undescribed == [], (event.asset_key, materialization.partition, undescribed)
        preview = materialization.metadata.get("preview")
        assert preview is None or not any(f"| {c} |" in preview.value for c in personal_columns())


def test_every_table_asset_declares_its_columns_with_their_meanings():
    graph = build_defs().resolve_asset_graph()
    for declared in registry().values():
        schema = graph.get(asset_key(declared.name)).metadata["dagster/column_schema"]
        assert [c.name for c in schema.columns] == [c.name for c in declared.columns], declared.name
        assert all(c.description for c in schema.columns), declared.name


def _labels_as_built(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """The label table's columns as the weekly training writes it, on one as-of date of the tiny bank."""
    replace_table(con, LABELS.name, labels.client_labels(con, [DAY1]))
    return con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {LABELS.name})").fetchall()


def test_committed_star_schema_doc_holds_every_column_meaning_of_the_registry():
    committed = Path(__file__).parents[2] / "docs" / "star_schema.md"
    assert committed.read_text() == star_schema_markdown(), "run `riskhub docs` to regenerate docs/"
    assert "| `amount_reporting` | DECIMAL(38,2) | Amount in the reporting currency" in committed.read_text()
