"""The shape every SQL-built table asset shares: load in one transaction, show metadata, run its data tests."""

from collections.abc import Callable
from typing import TypeVar

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from riskhub_assets.lib.quality import CheckOutcome, run_table_checks, table_check_names
from riskhub_assets.lib.sqltext import describe
from riskhub_assets.orchestration.observability import check_result, check_specs, column_schema, table_metadata
from riskhub_assets.orchestration.policy import business_days, writer
from riskhub_assets.tables import Table, table

Written = TypeVar("Written")


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
        **writer(partitioned=table.partition_column is not None),
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


def write_and_check(
    con: duckdb.DuckDBPyConnection, declared: Table, start, end, write: Callable[[], Written]
) -> tuple[Written, dict, list[CheckOutcome]]:
    """Write a declared table's days in one transaction (a reader never sees half a day) with its descriptions, then
    read back what the UI shows of it and run its data tests."""
    con.execute("BEGIN")
    written = write()
    describe(con, declared)
    con.execute("COMMIT")
    return written, table_metadata(con, declared, start, end), run_table_checks(con, declared, start, end)


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
            _, metadata, outcomes = write_and_check(con, declared, start, end, lambda: load(con, start, end))
        yield dg.MaterializeResult(metadata=metadata)
        for outcome in outcomes:
            yield check_result(outcome)

    return _table
