"""The star schema: dimensions and facts built in DuckDB from the clean layer."""

import datetime as dt

import duckdb
import pandas as pd

from riskhub_assets.lib.cleaning import CLEANING_SPECS, clean_column_name
from riskhub_assets.lib.contract import ACCOUNT_PRODUCTS, CHANNELS, EVENT_TYPES, MERCHANT_CATEGORIES, PRODUCTS
from riskhub_assets.lib.frames import replace_table
from riskhub_assets.tables import table

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

FACTS: dict[str, str] = {
    # table: SELECT over the clean layer for $start..$end, in the order of its declared columns
    "fact_transactions": """SELECT t.transaction_id, t.business_date, t."timestamp", t.account_id, a.client_id, t.amount,
                  CASE WHEN t.direction = 'debit' THEN -t.amount ELSE t.amount END, t.currency, t.direction,
                  t.channel, t.merchant_category, t.counterparty_country, hour(t."timestamp")
           FROM clean.transactions t
           JOIN clean.accounts a ON a.account_id = t.account_id AND a.business_date = t.business_date
           WHERE t.business_date BETWEEN $start AND $end""",
    "fact_events": """SELECT event_id, business_date, "timestamp", client_id, account_id, event_type, amount
           FROM clean.events WHERE business_date BETWEEN $start AND $end""",
    "fact_account_balances": """SELECT business_date, account_id, client_id, account_type, currency, balance, limit_or_principal,
                  close_date IS NULL OR close_date > business_date
           FROM clean.accounts WHERE business_date BETWEEN $start AND $end""",
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


def _code_list(column: str, codes: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({column: list(codes), "description": list(codes.values())})


def _products() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product_code": list(PRODUCTS),
            "product_family": [family for family, _ in PRODUCTS.values()],
            "product_name": [name for _, name in PRODUCTS.values()],
            "held_as_account": [p in ACCOUNT_PRODUCTS.values() for p in PRODUCTS],
        }
    )


CODE_LISTS = {
    "dim_channel": lambda: _code_list("channel", CHANNELS),
    "dim_merchant_category": lambda: _code_list("merchant_category", MERCHANT_CATEGORIES),
    "dim_event_type": lambda: _code_list("event_type", EVENT_TYPES),
    "dim_product": _products,
}
"""The landing contract's code lists, rebuilt whole from it: each dimension's rows."""


def load_table(
    con: duckdb.DuckDBPyConnection, name: str, start: dt.date | None = None, end: dt.date | None = None
) -> None:
    """Rebuild a dimension whole, or replace business days start..end of a fact table."""
    con.execute("CREATE SCHEMA IF NOT EXISTS warehouse")
    if name in DIMENSIONS:
        con.execute(DIMENSIONS[name])
        return
    if name in CODE_LISTS:
        replace_table(con, f"warehouse.{name}", CODE_LISTS[name]())
        return
    fact, window = table(f"warehouse.{name}"), {"start": start, "end": end}
    con.execute(f"CREATE TABLE IF NOT EXISTS {fact.name} ({fact.ddl_columns})")
    con.execute(f"DELETE FROM {fact.name} WHERE {fact.partition_column} BETWEEN $start AND $end", window)
    con.execute(f"INSERT INTO {fact.name} {FACTS[name]}", window)
