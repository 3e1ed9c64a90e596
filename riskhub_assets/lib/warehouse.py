"""The star schema: dimensions and facts built in DuckDB from the clean layer."""

import datetime as dt

import duckdb

from riskhub_assets.lib.cleaning import CLEANING_SPECS, clean_column_name
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


_CLIENT_COLUMNS = ", ".join(f'"{clean_column_name(c)}"' for c in CLEANING_SPECS["clients"].landing.columns)

DIM_CLIENT_SQL = f"""
CREATE OR REPLACE TABLE warehouse.dim_client AS
SELECT {_CLIENT_COLUMNS}, first_seen_date, business_date AS last_updated_date
FROM (
    SELECT *, min(business_date) OVER (PARTITION BY client_id) AS first_seen_date,
           row_number() OVER (PARTITION BY client_id ORDER BY business_date DESC, _row_number DESC) AS _latest
    FROM clean.clients)
WHERE _latest = 1
ORDER BY client_id
"""

DIM_ACCOUNT_SQL = """
CREATE OR REPLACE TABLE warehouse.dim_account AS
SELECT account_id, client_id, account_type, currency, open_date, close_date, limit_or_principal,
       close_date IS NULL AS is_open, business_date AS last_snapshot_date
FROM (
    SELECT *, row_number() OVER (PARTITION BY account_id ORDER BY business_date DESC, _row_number DESC) AS _latest
    FROM clean.accounts)
WHERE _latest = 1
ORDER BY account_id
"""

DIM_MANAGER_SQL = """
CREATE OR REPLACE TABLE warehouse.dim_manager AS
SELECT manager_id, agency_id, hire_date, monthly_sales_objective, first_seen_date,
       business_date AS last_snapshot_date, business_date = max(business_date) OVER () AS is_active
FROM (
    SELECT *, min(business_date) OVER (PARTITION BY manager_id) AS first_seen_date,
           row_number() OVER (PARTITION BY manager_id ORDER BY business_date DESC, _row_number DESC) AS _latest
    FROM clean.relationship_managers)
WHERE _latest = 1
ORDER BY manager_id
"""

DIM_AGENCY_SQL = """
CREATE OR REPLACE TABLE warehouse.dim_agency AS
SELECT agency_id, arg_max(agency_name, business_date) AS agency_name, arg_max(region, business_date) AS region,
       count(*) FILTER (WHERE business_date = last_day) AS active_managers,
       coalesce(sum(monthly_sales_objective) FILTER (WHERE business_date = last_day), 0) AS monthly_sales_objective
FROM clean.relationship_managers, (SELECT max(business_date) AS last_day FROM clean.relationship_managers)
GROUP BY agency_id
ORDER BY agency_id
"""

_ACCOUNT_PRODUCT = " ".join(f"WHEN '{t}' THEN '{p}'" for t, p in ACCOUNT_PRODUCTS.items())

FACT_PRODUCT_HOLDINGS_SQL = f"""
CREATE OR REPLACE TABLE warehouse.fact_product_holdings AS
SELECT holding_id, client_id, product_code, start_date AS adoption_date, end_date AS closure_date,
       end_date IS NULL AS is_held, 'product_system' AS source_system, NULL::VARCHAR AS account_id
FROM (
    SELECT *, row_number() OVER (PARTITION BY holding_id ORDER BY business_date DESC, _row_number DESC) AS _latest
    FROM clean.product_holdings)
WHERE _latest = 1
UNION ALL
SELECT account_id, client_id, CASE account_type {_ACCOUNT_PRODUCT} END, open_date, close_date, is_open,
       'accounts', account_id
FROM warehouse.dim_account
ORDER BY client_id, adoption_date, holding_id
"""

FACT_MANAGER_OBJECTIVES_SQL = """
CREATE OR REPLACE TABLE warehouse.fact_manager_objectives AS
SELECT CAST(date_trunc('month', business_date) AS DATE) AS month_start, manager_id,
       arg_max(agency_id, business_date) AS agency_id,
       arg_max(monthly_sales_objective, business_date) AS monthly_sales_objective
FROM clean.relationship_managers
GROUP BY ALL
ORDER BY month_start, manager_id
"""

DIM_DATE_SQL = """
CREATE OR REPLACE TABLE warehouse.dim_date AS
SELECT CAST(d AS DATE) AS date, year(d) AS year, quarter(d) AS quarter, month(d) AS month,
       monthname(d) AS month_name, day(d) AS day_of_month, isodow(d) AS iso_day_of_week,
       dayname(d) AS day_name, isodow(d) >= 6 AS is_weekend, CAST(date_trunc('month', d) AS DATE) AS month_start,
       CAST(last_day(d) AS DATE) AS month_end, strftime(d, '%Y-%m') AS year_month
FROM range(DATE '1900-01-01', DATE '2100-01-01', INTERVAL 1 DAY) AS r(d)
"""

FACTS: dict[str, tuple[str, str, str]] = {
    # table: (DDL columns, partition column, SELECT over the clean layer for $start..$end)
    "fact_transactions": (
        "transaction_id VARCHAR, transaction_date DATE, transaction_ts TIMESTAMP, account_id VARCHAR,"
        " client_id VARCHAR, amount DECIMAL(18,2), signed_amount DECIMAL(18,2), currency VARCHAR,"
        " direction VARCHAR, channel VARCHAR, merchant_category VARCHAR, counterparty_country VARCHAR, hour_of_day INTEGER",
        "transaction_date",
        """SELECT t.transaction_id, t.business_date, t."timestamp", t.account_id, a.client_id, t.amount,
                  CASE WHEN t.direction = 'debit' THEN -t.amount ELSE t.amount END, t.currency, t.direction,
                  t.channel, t.merchant_category, t.counterparty_country, hour(t."timestamp")
           FROM clean.transactions t
           JOIN clean.accounts a ON a.account_id = t.account_id AND a.business_date = t.business_date
           WHERE t.business_date BETWEEN $start AND $end""",
    ),
    "fact_events": (
        "event_id VARCHAR, event_date DATE, event_ts TIMESTAMP, client_id VARCHAR, account_id VARCHAR,"
        " event_type VARCHAR, amount DECIMAL(18,2)",
        "event_date",
        """SELECT event_id, business_date, "timestamp", client_id, account_id, event_type, amount
           FROM clean.events WHERE business_date BETWEEN $start AND $end""",
    ),
    "fact_account_balances": (
        "snapshot_date DATE, account_id VARCHAR, client_id VARCHAR, account_type VARCHAR, currency VARCHAR,"
        " balance DECIMAL(18,2), limit_or_principal DECIMAL(18,2), is_open BOOLEAN",
        "snapshot_date",
        """SELECT business_date, account_id, client_id, account_type, currency, balance, limit_or_principal,
                  close_date IS NULL OR close_date > business_date
           FROM clean.accounts WHERE business_date BETWEEN $start AND $end""",
    ),
}


DIMENSIONS = {
    "dim_client": DIM_CLIENT_SQL,
    "dim_account": DIM_ACCOUNT_SQL,
    "dim_date": DIM_DATE_SQL,
    "dim_manager": DIM_MANAGER_SQL,
    "dim_agency": DIM_AGENCY_SQL,
    "fact_product_holdings": FACT_PRODUCT_HOLDINGS_SQL,
    "fact_manager_objectives": FACT_MANAGER_OBJECTIVES_SQL,
}
"""Tables rebuilt whole on every run: the dimensions, and the small accumulating facts."""


def load_table(
    con: duckdb.DuckDBPyConnection, name: str, start: dt.date | None = None, end: dt.date | None = None
) -> None:
    """Rebuild a dimension whole, or replace business days start..end of a fact table."""
    con.execute("CREATE SCHEMA IF NOT EXISTS warehouse")
    if name in DIMENSIONS:
        con.execute(DIMENSIONS[name])
        return
    columns, partition_column, select = FACTS[name]
    window = {"start": start, "end": end}
    con.execute(f"CREATE TABLE IF NOT EXISTS warehouse.{name} ({columns})")
    con.execute(f"DELETE FROM warehouse.{name} WHERE {partition_column} BETWEEN $start AND $end", window)
    con.execute(f"INSERT INTO warehouse.{name} {select}", window)


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
