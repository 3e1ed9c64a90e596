"""The shape every SQL-built table asset shares: load in one transaction, show metadata, run its data tests."""

from collections.abc import Callable

import dagster as dg
from dagster_duckdb import DuckDBResource

from riskhub_assets.orchestration.observability import check_result, check_specs, column_schema, table_metadata
from riskhub_assets.orchestration.policy import business_days, daily_partitions
from riskhub_assets.orchestration.policy import DUCKDB_POOL
from riskhub_assets.lib.quality import run_table_checks, table_check_names
from riskhub_assets.lib.sqltext import describe
from riskhub_assets.tables import Table, table


def asset_key(name: str) -> dg.AssetKey:
    """The asset key of a table or model, from its dotted name ("warehouse.dim_client")."""
    return dg.AssetKey(name.split("."))


def table_spec_args(table: Table) -> dict:
    """What a table's declaration says of its asset: key, deps, docs, group, owners, partitions, pool."""
    return {
        "key": asset_key(table.name),
        "deps": [asset_key(s) for s in table.sources],
        "description": table.description,
        "group_name": table.group,
        "owners": [table.owner],
        "metadata": column_schema(table),
        "partitions_def": daily_partitions if table.partition_column else None,
        "backfill_policy": dg.BackfillPolicy.single_run(),  # a date range is one run, also from `dg launch`
        "pool": DUCKDB_POOL,
    }


def table_asset_spec(table: Table) -> dg.AssetSpec:
    """A declared DuckDB table as one spec of a multi-asset (which sets its partitions and pool)."""
    args = table_spec_args(table)
    return dg.AssetSpec(
        args["key"],
        deps=args["deps"],
        description=args["description"],
        group_name=args["group_name"],
        owners=args["owners"],
        metadata=args["metadata"],
        kinds={"duckdb"},
    )


def sql_table_asset(name: str, load: Callable, resource_keys: frozenset[str] = frozenset()) -> dg.AssetsDefinition:
    """Factory: a declared DuckDB table built by `load(con, start, end)`; daily-partitioned when it has a partition column.

    `resource_keys` are set up before `load` runs: model_store for loads that score with a registered model.
    """
    declared = table(name)
    key = asset_key(name)

    @dg.asset(
        **table_spec_args(declared),
        kinds={"duckdb"},
        check_specs=check_specs(key, table_check_names(declared)),
        required_resource_keys={"duckdb", *resource_keys},
    )
    def _table(context: dg.AssetExecutionContext):
        duckdb: DuckDBResource = context.resources.duckdb
        start, end = business_days(context) if declared.partition_column else (None, None)
        with duckdb.get_connection() as con:
            con.execute("BEGIN")
            load(con, start, end)
            describe(con, declared)
            con.execute("COMMIT")
            metadata = table_metadata(con, declared, start, end)
            outcomes = run_table_checks(con, declared, start, end)
        yield dg.MaterializeResult(metadata=metadata)
        for outcome in outcomes:
            yield check_result(outcome)

    return _table
