"""The table registry: declarations agree with the tables the pipeline builds, and everything derives from them."""

import duckdb

from riskhub_assets import tables
from riskhub_assets.definitions import build_defs
from riskhub_assets.lib import publish
from riskhub_assets.orchestration.table_assets import asset_key
from riskhub_assets.tables import registry


def test_declared_columns_are_the_built_columns_in_order_with_their_types(published):
    with duckdb.connect(str(published / "riskhub.duckdb"), read_only=True) as con:
        # the scored bank writes its score tables as the champions would, not through the pipeline: left out
        # and the weekly training builds the labels (defs/test_column_docs.py checks theirs)
        built_here = (t for t in registry().values() if t.schema != "scores" and t.name != "features.client_labels")
        for declared in built_here:
            built = con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {declared.name})").fetchall()
            assert built == [(c.name, c.type) for c in declared.columns], declared.name


def test_every_declared_table_is_an_asset_with_its_data_tests_and_lineage():
    graph = build_defs().resolve_asset_graph()
    for declared in registry().values():
        node = graph.get(asset_key(declared.name))
        assert node.description == declared.description
        assert {asset_key(s) for s in declared.sources} <= set(node.parent_keys), declared.name


def test_bi_database_declares_every_table_it_publishes_and_holds_their_meanings(published):
    graph = build_defs().resolve_asset_graph()
    bi = graph.get(asset_key("reporting.bi_database"))
    assert {asset_key(p.source) for p in tables.published()} <= set(bi.parent_keys)
    with duckdb.connect(str(published / "bi" / publish.BI_DATABASE), read_only=True) as con:
        comment = con.execute(
            "SELECT comment FROM duckdb_columns() WHERE schema_name = 'marts' AND table_name = 'transaction_kpis'"
            " AND column_name = 'clients'"
        ).fetchone()[0]
    assert comment == "Distinct clients who made them."


def test_a_landing_key_a_daily_fact_holds_once_is_checked_across_history_when_cleaned():
    from riskhub_assets.lib.cleaning_specs import CLEANING_SPECS
    from riskhub_assets.tables import registry

    once = {t.key[0] for t in registry().values() if t.partition_column and len(t.key) == 1}
    assert (
        {name for name, spec in CLEANING_SPECS.items() if spec.key_once}
        == {name for name, spec in CLEANING_SPECS.items() if spec.landing.key in once}
        == {"transactions", "events"}
    )
