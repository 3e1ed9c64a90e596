"""The shape every SQL-built table asset shares: load in one transaction, show metadata, run its data tests."""

from collections.abc import Callable

import dagster as dg
from dagster_duckdb import DuckDBResource

from riskhub_assets.defs.observability import check_result, check_specs, table_metadata
from riskhub_assets.defs.partitions import business_days, daily_partitions
from riskhub_assets.defs.resources import DUCKDB_POOL
from riskhub_assets.lib.quality import TableChecks, run_table_checks, table_check_names

OWNERS = ["team:data-engineering"]


def sql_table_asset(
    checks: TableChecks,
    load: Callable,
    deps: list[dg.AssetKey],
    description: str,
    group: str,
    owners: list[str] = OWNERS,
    resource_keys: frozenset[str] = frozenset(),  # set up before `load` runs: model_store for loads that score
) -> dg.AssetsDefinition:
    """Factory: a DuckDB table built by `load(con, start, end)`; daily-partitioned when its checks name a partition column."""
    key = dg.AssetKey(checks.table.split("."))
    partitioned = checks.partition_column is not None

    @dg.asset(
        key=key,
        deps=[d for d in deps if d != key],
        description=description,
        group_name=group,
        kinds={"duckdb"},
        owners=owners,
        partitions_def=daily_partitions if partitioned else None,
        backfill_policy=dg.BackfillPolicy.single_run(),  # a date range is one run, also from `dg launch`
        pool=DUCKDB_POOL,
        check_specs=check_specs(key, table_check_names(checks)),
        required_resource_keys={"duckdb", *resource_keys},
    )
    def _table(context: dg.AssetExecutionContext):
        duckdb: DuckDBResource = context.resources.duckdb
        start, end = business_days(context) if partitioned else (None, None)
        where = f"{checks.partition_column} BETWEEN $start AND $end" if partitioned else "true"
        with duckdb.get_connection() as con:
            con.execute("BEGIN")
            load(con, start, end)
            con.execute("COMMIT")
            metadata = table_metadata(
                con, checks.table, where, {"start": start, "end": end} if partitioned else None, detail=start == end
            )
            outcomes = run_table_checks(con, checks, start, end)
        yield dg.MaterializeResult(metadata=metadata)
        for outcome in outcomes:
            yield check_result(outcome)

    return _table


def referenced_tables(checks: TableChecks) -> list[dg.AssetKey]:
    """The tables a table's foreign keys point at, as asset keys."""
    return sorted({dg.AssetKey(target.rsplit(".", 1)[0].split(".")) for target in checks.references.values()}, key=str)
