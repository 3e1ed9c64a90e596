"""The star schema: dimensions and facts built in DuckDB from the clean layer."""

import datetime as dt

import duckdb

from riskhub_assets.lib.contract import (
    ACCOUNT_PRODUCTS,
    ACCOUNT_TYPES,
    CURRENCIES,
    DIRECTIONS,
    EMPLOYMENT_STATUSES,
    MAX_AMOUNT,
    PRODUCTS,
    REGIONS,
    SEGMENTS,
)
from riskhub_assets.lib.quality import TableChecks
from riskhub_assets.lib.sql_files import read_sql

BIG = 1_000_000_000

GRAINS = {
    "dim_client": "One row per client: the latest clean KYC record, personal data pseudonymised.",
    "dim_account": "One row per account: its latest end-of-day snapshot.",
    "dim_date": "One row per calendar day 1900-2099, with year, quarter, month and weekday.",
    "dim_channel": "One row per transaction channel code of the landing contract.",
    "dim_merchant_category": "One row per ISO 18245 merchant category code of the landing contract.",
    "dim_event_type": "One row per client or account event type of the landing contract.",
    "dim_product": "One row per product of the catalogue: family, name, and whether it is held as an account.",
    "dim_manager": "One row per relationship manager: branch, hire date and the latest monthly objective.",
    "dim_agency": "One row per branch (agency): name, region and its managers' latest combined objective.",
    "fact_product_holdings": "One row per product holding, accounts included: client, product, adoption and"
    " closure dates (an accumulating snapshot, rebuilt whole).",
    "fact_manager_objectives": "One row per relationship manager per month: the month's sales objective.",
    "fact_transactions": "One row per booked transaction, with its client; partitioned by transaction date.",
    "fact_events": "One row per client or account life-cycle event; partitioned by event date.",
    "fact_account_balances": "One row per account per day: end-of-day balance and limit; partitioned by snapshot date.",
}
"""The grain of every star-schema table, in one line each."""


FACTS: dict[str, tuple[str, str]] = {
    # table: (DDL columns, partition column); sql/warehouse/<table>.sql selects business days $start..$end
    "fact_transactions": (
        "transaction_id VARCHAR, transaction_date DATE, transaction_ts TIMESTAMP, account_id VARCHAR,"
        " client_id VARCHAR, amount DECIMAL(18,2), signed_amount DECIMAL(18,2), currency VARCHAR,"
        " direction VARCHAR, channel VARCHAR, merchant_category VARCHAR, counterparty_country VARCHAR, hour_of_day INTEGER",
        "transaction_date",
    ),
    "fact_events": (
        "event_id VARCHAR, event_date DATE, event_ts TIMESTAMP, client_id VARCHAR, account_id VARCHAR,"
        " event_type VARCHAR, amount DECIMAL(18,2)",
        "event_date",
    ),
    "fact_account_balances": (
        "snapshot_date DATE, account_id VARCHAR, client_id VARCHAR, account_type VARCHAR, currency VARCHAR,"
        " balance DECIMAL(18,2), limit_or_principal DECIMAL(18,2), is_open BOOLEAN",
        "snapshot_date",
    ),
}


DIMENSIONS: dict[str, dict] = {
    "dim_client": {},
    "dim_account": {},
    "dim_date": {},
    "dim_manager": {},
    "dim_agency": {},
    "fact_product_holdings": {
        "account_types": list(ACCOUNT_PRODUCTS),
        "account_products": list(ACCOUNT_PRODUCTS.values()),
    },
    "fact_manager_objectives": {},
}
"""Tables rebuilt whole on every run (the dimensions, and the small accumulating facts): the parameters of each one's
sql/warehouse/<table>.sql."""


def load_table(
    con: duckdb.DuckDBPyConnection, name: str, start: dt.date | None = None, end: dt.date | None = None
) -> None:
    """Rebuild a dimension whole, or replace business days start..end of a fact table."""
    con.execute("CREATE SCHEMA IF NOT EXISTS warehouse")
    if name in DIMENSIONS:
        con.execute(read_sql("warehouse", name), DIMENSIONS[name])
        return
    columns, partition_column = FACTS[name]
    window = {"start": start, "end": end}
    con.execute(f"CREATE TABLE IF NOT EXISTS warehouse.{name} ({columns})")
    con.execute(f"DELETE FROM warehouse.{name} WHERE {partition_column} BETWEEN $start AND $end", window)
    con.execute(f"INSERT INTO warehouse.{name} {read_sql('warehouse', name)}", window)


TABLE_CHECKS: dict[str, TableChecks] = {
    "dim_client": TableChecks(
        "warehouse.dim_client",
        key=("client_id",),
        not_null=("birth_date", "country", "segment", "onboarding_date"),
        accepted={"segment": SEGMENTS, "employment_status": EMPLOYMENT_STATUSES},
        references={"manager_id": "warehouse.dim_manager.manager_id"},
        ranges={"annual_income": ("0", str(BIG))},
    ),
    "dim_manager": TableChecks(
        "warehouse.dim_manager",
        key=("manager_id",),
        not_null=("agency_id", "hire_date", "monthly_sales_objective"),
        references={"agency_id": "warehouse.dim_agency.agency_id"},
        ranges={"monthly_sales_objective": ("0", str(BIG))},
    ),
    "dim_agency": TableChecks(
        "warehouse.dim_agency",
        key=("agency_id",),
        not_null=("agency_name", "region"),
        accepted={"region": REGIONS},
    ),
    "fact_product_holdings": TableChecks(
        "warehouse.fact_product_holdings",
        key=("holding_id",),
        not_null=("client_id", "product_code", "adoption_date", "source_system"),
        accepted={"product_code": tuple(PRODUCTS)},
        references={
            "client_id": "warehouse.dim_client.client_id",
            "product_code": "warehouse.dim_product.product_code",
            "account_id": "warehouse.dim_account.account_id",
        },
    ),
    "fact_manager_objectives": TableChecks(
        "warehouse.fact_manager_objectives",
        key=("month_start", "manager_id"),
        not_null=("agency_id", "monthly_sales_objective"),
        references={"manager_id": "warehouse.dim_manager.manager_id", "agency_id": "warehouse.dim_agency.agency_id"},
        ranges={"monthly_sales_objective": ("0", str(BIG))},
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
        volume=False,  # events cluster on due dates and month ends: daily swings are normal
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
