"""The star schema BI and models read: client, account, date and reference dimensions; transaction, event and balance facts."""

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from riskhub_assets.defs.observability import check_result, check_specs, table_metadata
from riskhub_assets.defs.partitions import business_days, daily_partitions
from riskhub_assets.defs.resources import DUCKDB_POOL
from riskhub_assets.lib import warehouse
from riskhub_assets.lib.contract import (
    ACCOUNT_TYPES,
    CHANNELS,
    CURRENCIES,
    DIRECTIONS,
    EMPLOYMENT_STATUSES,
    EVENT_TYPES,
    MAX_AMOUNT,
    MERCHANT_CATEGORIES,
    SEGMENTS,
)
from riskhub_assets.lib.quality import TableChecks, keys_not_null_and_unique, run_table_checks, table_check_names

GROUP = "warehouse"
OWNERS = ["team:data-engineering"]
BIG = 1_000_000_000

REFERENCE_DIMENSIONS = {
    "dim_channel": ("channel", CHANNELS),
    "dim_merchant_category": ("merchant_category", MERCHANT_CATEGORIES),
    "dim_event_type": ("event_type", EVENT_TYPES),
}

TABLE_CHECKS = {
    "dim_client": TableChecks(
        "warehouse.dim_client",
        key=("client_id",),
        not_null=("birth_date", "country", "segment", "onboarding_date"),
        accepted={"segment": SEGMENTS, "employment_status": EMPLOYMENT_STATUSES},
        ranges={"annual_income": ("0", str(BIG))},
    ),
    "dim_account": TableChecks(
        "warehouse.dim_account",
        key=("account_id",),
        not_null=("client_id", "account_type", "currency", "open_date"),
        accepted={"account_type": ACCOUNT_TYPES, "currency": CURRENCIES},
        references={"client_id": "warehouse.dim_client.client_id"},
    ),
    "dim_date": TableChecks("warehouse.dim_date", key=("date",)),
    "fact_transactions": TableChecks(
        "warehouse.fact_transactions",
        key=("transaction_id",),
        not_null=("transaction_date", "transaction_ts", "account_id", "client_id", "amount", "direction", "channel"),
        accepted={"direction": DIRECTIONS, "currency": CURRENCIES},
        references={
            "account_id": "warehouse.dim_account.account_id",
            "client_id": "warehouse.dim_client.client_id",
            "channel": "warehouse.dim_channel.channel",
            "merchant_category": "warehouse.dim_merchant_category.merchant_category",
            "transaction_date": "warehouse.dim_date.date",
        },
        ranges={"amount": ("0.01", str(MAX_AMOUNT - 0.01)), "hour_of_day": ("0", "23")},
        partition_column="transaction_date",
    ),
    "fact_events": TableChecks(
        "warehouse.fact_events",
        key=("event_id",),
        not_null=("event_date", "event_ts", "client_id", "event_type"),
        references={
            "client_id": "warehouse.dim_client.client_id",
            "account_id": "warehouse.dim_account.account_id",
            "event_type": "warehouse.dim_event_type.event_type",
            "event_date": "warehouse.dim_date.date",
        },
        ranges={"amount": ("0", str(BIG))},
        partition_column="event_date",
    ),
    "fact_account_balances": TableChecks(
        "warehouse.fact_account_balances",
        key=("snapshot_date", "account_id"),
        not_null=("client_id", "account_type", "balance"),
        references={
            "account_id": "warehouse.dim_account.account_id",
            "client_id": "warehouse.dim_client.client_id",
            "snapshot_date": "warehouse.dim_date.date",
        },
        ranges={"balance": (str(-BIG), str(BIG))},
        partition_column="snapshot_date",
    ),
}

DIMENSION_SQL = {
    "dim_client": (warehouse.DIM_CLIENT_SQL, ["clean/clients"], "One row per client: the latest clean KYC record, pseudonymised."),
    "dim_account": (warehouse.DIM_ACCOUNT_SQL, ["clean/accounts"], "One row per account: its latest end-of-day snapshot."),
    "dim_date": (warehouse.DIM_DATE_SQL, [], "One row per calendar day 1900-2099, with year, quarter, month and weekday."),
}
FACT_DESCRIPTIONS = {
    "fact_transactions": ("One row per booked transaction, with its client; partitioned by transaction date.", ["clean/transactions", "clean/accounts"]),
    "fact_events": ("One row per client or account life-cycle event; partitioned by event date.", ["clean/events"]),
    "fact_account_balances": ("One row per account per day: end-of-day balance and limit; partitioned by snapshot date.", ["clean/accounts"]),
}


def _deps(paths: list[str], checks: TableChecks) -> list[dg.AssetKey]:
    """Upstream clean tables plus the dimensions the table's foreign keys point at."""
    referenced = {dg.AssetKey(["warehouse", target.split(".")[1]]) for target in checks.references.values()}
    return [dg.AssetKey.from_user_string(p) for p in paths] + sorted(referenced, key=str)


def dimension_asset(name: str) -> dg.AssetsDefinition:
    """Factory: a dimension rebuilt whole from the clean layer, with its data tests."""
    sql, upstream, description = DIMENSION_SQL[name]
    checks = TABLE_CHECKS[name]
    key = dg.AssetKey(["warehouse", name])

    @dg.asset(
        key=key,
        deps=_deps(upstream, checks),
        description=description,
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
    description, upstream = FACT_DESCRIPTIONS[name]
    checks = TABLE_CHECKS[name]
    key = dg.AssetKey(["warehouse", name])

    @dg.asset(
        key=key,
        deps=_deps(upstream, checks),
        description=description,
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
        description=f"Code list of {column.replace('_', ' ')}s from the landing contract, with descriptions.",
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
    + [fact_asset(name) for name in FACT_DESCRIPTIONS]
)
warehouse_checks = [reference_dimension_check(name) for name in REFERENCE_DIMENSIONS]
