"""The star schema: dimensions and facts built in DuckDB from the clean layer."""

import datetime as dt

import duckdb

from riskhub_assets.lib.cleaning import CLEANING_SPECS, clean_column_name
from riskhub_assets.lib.contract import (
    ACCOUNT_TYPES,
    CURRENCIES,
    DIRECTIONS,
    EMPLOYMENT_STATUSES,
    MAX_AMOUNT,
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


DIMENSIONS = {"dim_client": DIM_CLIENT_SQL, "dim_account": DIM_ACCOUNT_SQL, "dim_date": DIM_DATE_SQL}


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
