"""The star schema: dimensions and facts built in DuckDB from the clean layer (SQL in lib/sql/warehouse/)."""

import datetime as dt

import duckdb
import pandas as pd

from riskhub_assets.lib.contract import (
    ACCOUNT_PRODUCTS,
    CHANNELS,
    DEFAULT_DAYS_PAST_DUE,
    DEFAULTED_STATUSES,
    EVENT_TYPES,
    MERCHANT_CATEGORIES,
    PRODUCTS,
)
from riskhub_assets.lib.frames import replace_table
from riskhub_assets.lib.sql_files import read_sql
from riskhub_assets.tables import table

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
    "fact_defaults": {"days_past_due": DEFAULT_DAYS_PAST_DUE, "defaulted_statuses": list(DEFAULTED_STATUSES)},
}
"""Tables rebuilt whole on every run (the dimensions, and the small accumulating facts): the parameters of each one's
sql/warehouse/<table>.sql."""


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
FACT_PARAMETERS: dict[str, dict] = {
    "fact_credit_facility": {"days_past_due": DEFAULT_DAYS_PAST_DUE, "defaulted_statuses": list(DEFAULTED_STATUSES)},
}
"""Parameters of the daily facts' sql/warehouse/<table>.sql besides $start and $end."""


def load_table(
    con: duckdb.DuckDBPyConnection, name: str, start: dt.date | None = None, end: dt.date | None = None
) -> None:
    """Rebuild a dimension whole, or replace business days start..end of a fact table (its declared columns)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS warehouse")
    if name in DIMENSIONS:
        con.execute(read_sql("warehouse", name), DIMENSIONS[name])
        return
    if name in CODE_LISTS:
        replace_table(con, f"warehouse.{name}", CODE_LISTS[name]())
        return
    fact, window = table(f"warehouse.{name}"), {"start": start, "end": end}
    con.execute(f"CREATE TABLE IF NOT EXISTS {fact.name} ({fact.ddl_columns})")
    con.execute(f"DELETE FROM {fact.name} WHERE {fact.partition_column} BETWEEN $start AND $end", window)
    con.execute(f"INSERT INTO {fact.name} {read_sql('warehouse', name)}", {**window, **FACT_PARAMETERS.get(name, {})})
