"""The star schema BI and models read: client, account, date and reference dimensions; transaction, event and balance facts."""

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from riskhub_assets.defs.observability import check_result, check_specs, table_metadata
from riskhub_assets.defs.partitions import business_days, daily_partitions
from riskhub_assets.defs.resources import DUCKDB_POOL
from riskhub_assets.lib import warehouse
from riskhub_assets.lib.contract import CHANNELS, EVENT_TYPES, MERCHANT_CATEGORIES
from riskhub_assets.lib.quality import TableChecks, keys_not_null_and_unique, run_table_checks, table_check_names
from riskhub_assets.lib.warehouse import GRAINS, TABLE_CHECKS

GROUP = "warehouse"
OWNERS = ["team:data-engineering"]

REFERENCE_DIMENSIONS = {
    "dim_channel": ("channel", CHANNELS),
    "dim_merchant_category": ("merchant_category", MERCHANT_CATEGORIES),
    "dim_event_type": ("event_type", EVENT_TYPES),
}

DIMENSION_SQL = {
    "dim_client": (warehouse.DIM_CLIENT_SQL, ["clean/clients"]),
    "dim_account": (warehouse.DIM_ACCOUNT_SQL, ["clean/accounts"]),
    "dim_date": (warehouse.DIM_DATE_SQL, []),
}
FACT_UPSTREAM = {
    "fact_transactions": ["clean/transactions", "clean/accounts"],
    "fact_events": ["clean/events"],
    "fact_account_balances": ["clean/accounts"],
}


def _deps(paths: list[str], checks: TableChecks) -> list[dg.AssetKey]:
    """Upstream clean tables plus the dimensions the table's foreign keys point at."""
    referenced = {dg.AssetKey(["warehouse", target.split(".")[1]]) for target in checks.references.values()}
    return [dg.AssetKey.from_user_string(p) for p in paths] + sorted(referenced, key=str)


def dimension_asset(name: str) -> dg.AssetsDefinition:
    """Factory: a dimension rebuilt whole from the clean layer, with its data tests."""
    sql, upstream = DIMENSION_SQL[name]
    checks = TABLE_CHECKS[name]
    key = dg.AssetKey(["warehouse", name])

    @dg.asset(
        key=key,
        deps=_deps(upstream, checks),
        description=GRAINS[name],
        group_name=GROUP,
        kinds={"duckdb"},
        owners=OWNERS,
        pool=DUCKDB_POOL,
        check_specs=check_specs(key, table_check_names(checks)),
    )
    def _dimension(duckdb: DuckDBResource):
        with duckdb.get_connection() as con:
            warehouse.build_table(con, sql)
            metadata = table_metadata(con, checks.table)
            outcomes = run_table_checks(con, checks)
        yield dg.MaterializeResult(metadata=metadata)
        for outcome in outcomes:
            yield check_result(outcome)

    return _dimension


def fact_asset(name: str) -> dg.AssetsDefinition:
    """Factory: a daily-partitioned fact table, replaced partition by partition, with its data tests."""
    upstream = FACT_UPSTREAM[name]
    checks = TABLE_CHECKS[name]
    key = dg.AssetKey(["warehouse", name])

    @dg.asset(
        key=key,
        deps=_deps(upstream, checks),
        description=GRAINS[name],
        group_name=GROUP,
        kinds={"duckdb"},
        owners=OWNERS,
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=DUCKDB_POOL,
        check_specs=check_specs(key, table_check_names(checks)),
    )
    def _fact(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
        start, end = business_days(context)
        window = {"start": start, "end": end}
        with duckdb.get_connection() as con:
            con.execute("BEGIN")
            warehouse.load_fact(con, name, start, end)
            con.execute("COMMIT")
            metadata = table_metadata(con, checks.table, f"{checks.partition_column} BETWEEN $start AND $end", window)
            outcomes = run_table_checks(con, checks, start, end)
        yield dg.MaterializeResult(metadata=metadata)
        for outcome in outcomes:
            yield check_result(outcome)

    return _fact


def reference_dimension(name: str) -> dg.AssetsDefinition:
    """Factory: a small code list from the landing contract, stored through the DuckDB pandas I/O manager."""
    column, codes = REFERENCE_DIMENSIONS[name]

    @dg.asset(
        name=name,
        key_prefix=["warehouse"],
        description=GRAINS[name],
        group_name=GROUP,
        kinds={"duckdb", "pandas"},
        owners=OWNERS,
        pool=DUCKDB_POOL,
    )
    def _reference() -> dg.Output[pd.DataFrame]:
        frame = pd.DataFrame({column: list(codes), "description": list(codes.values())})
        return dg.Output(frame, metadata={"dagster/row_count": len(frame)})

    return _reference


def reference_dimension_check(name: str) -> dg.AssetChecksDefinition:
    """Factory: codes of a reference dimension are present and unique."""
    column, _ = REFERENCE_DIMENSIONS[name]
    checks = TableChecks(f"warehouse.{name}", key=(column,))

    @dg.asset_check(asset=dg.AssetKey(["warehouse", name]), name="keys_not_null_and_unique", blocking=True)
    def _check(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as con:
            return check_result(keys_not_null_and_unique(con, checks))

    return _check


warehouse_assets = (
    [dimension_asset(name) for name in DIMENSION_SQL]
    + [reference_dimension(name) for name in REFERENCE_DIMENSIONS]
    + [fact_asset(name) for name in FACT_UPSTREAM]
)
warehouse_checks = [reference_dimension_check(name) for name in REFERENCE_DIMENSIONS]
