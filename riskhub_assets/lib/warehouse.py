"""The star schema: dimensions and facts built in DuckDB from the clean layer (SQL in lib/sql/warehouse/)."""

import datetime as dt

import duckdb

from riskhub_assets.lib.contract import DEFAULT_DAYS_PAST_DUE, DEFAULTED_STATUSES
from riskhub_assets.lib.sql_files import read_sql
from riskhub_assets.tables import table

REBUILT_WHOLE = frozenset(
    {
        "dim_client",
        "dim_account",
        "dim_date",
        "dim_channel",
        "dim_merchant_category",
        "dim_event_type",
        "dim_product",
        "dim_manager",
        "dim_agency",
        "fact_product_holdings",
        "fact_manager_objectives",
        "fact_defaults",
    }
)
"""Tables rebuilt whole on every run by their sql/warehouse/<table>.sql: the dimensions and small accumulating facts."""
AS_OF_ACCOUNTS = {"fact_transactions", "fact_account_balances"}
"""Facts that read each account's state on each of their days: the temp table account_days, built for their window
from sql/clean/account_days.sql (the same state clean.transactions was checked against)."""
DEFAULT_DEFINITION = {"days_past_due": DEFAULT_DAYS_PAST_DUE, "defaulted_statuses": list(DEFAULTED_STATUSES)}
PARAMETERS: dict[str, dict] = {"fact_defaults": DEFAULT_DEFINITION, "fact_credit_facility": DEFAULT_DEFINITION}
"""Parameters of a table's sql/warehouse/<table>.sql besides $start and $end: the regulatory default definition."""


def load_table(
    con: duckdb.DuckDBPyConnection, name: str, start: dt.date | None = None, end: dt.date | None = None
) -> None:
    """Rebuild a dimension whole, or replace business days start..end of a fact table (its declared columns)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS warehouse")
    if name in REBUILT_WHOLE:
        con.execute(read_sql("warehouse", name), PARAMETERS.get(name, {}))
        return
    fact, window = table(f"warehouse.{name}"), {"start": start, "end": end}
    if "clean.fx_rates" in fact.upstream:
        periods = read_sql("clean", "fx_rate_periods")
        con.execute(f"CREATE OR REPLACE TEMP TABLE fx_rate_periods AS {periods}", {"end": end})
    con.execute(f"CREATE TABLE IF NOT EXISTS {fact.name} ({fact.ddl_columns})")
    con.execute(f"DELETE FROM {fact.name} WHERE {fact.partition_column} BETWEEN $start AND $end", window)
    if name in AS_OF_ACCOUNTS:
        con.execute(f"CREATE OR REPLACE TEMP TABLE account_days AS {read_sql('clean', 'account_days')}", window)
    con.execute(f"INSERT INTO {fact.name} {read_sql('warehouse', name)}", {**window, **PARAMETERS.get(name, {})})
    con.execute("DROP TABLE IF EXISTS temp.account_days")
