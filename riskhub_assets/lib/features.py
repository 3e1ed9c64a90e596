"""Point-in-time client features: what the bank knew about each client at the close of an as-of date."""

import datetime as dt

import duckdb

from riskhub_assets.lib.frames import ensure_table
from riskhub_assets.lib.sql_files import read_sql
from riskhub_assets.lib.sqltext import days
from riskhub_assets.tables import table

RISKY_MERCHANTS = ("7995", "6051", "5944", "4829")
"""Gambling, quasi-cash/crypto, jewellery, money transfer: categories linked to financial stress and fraud."""
DISTRESS_MERCHANTS = ("7995", "6051", "4829", "6011")
"""Gambling, quasi-cash/crypto, money transfer and cash disbursement: card purchases that signal financial distress
(counted among card-present and online purchases, where a household's everyday spending goes)."""
MERCHANT_CHANNELS = ("pos", "ecommerce")
"""Channels where a transaction has a merchant: a card payment without a merchant category has an unknown merchant
(elsewhere an empty category means there is no merchant)."""
RECENCY_HALF_LIFE_DAYS = 30
"""Weight of a repayment event halves every 30 days in the recent miss rate: last month counts most."""


def load_client_daily_activity(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> None:
    """Replace days start..end of each client's daily activity (transactions and events summed per client and day)."""
    window, activity = {"start": start, "end": end}, table("features.client_daily_activity")
    ensure_table(con, activity.name, activity.ddl_columns)
    con.execute(f"DELETE FROM {activity.name} WHERE activity_date BETWEEN $start AND $end", window)
    con.execute(
        f"INSERT INTO {activity.name} {read_sql('features', 'client_daily_activity')}",
        {
            **window,
            "risky_merchants": list(RISKY_MERCHANTS),
            "distress_merchants": list(DISTRESS_MERCHANTS),
            "merchant_channels": list(MERCHANT_CHANNELS),
        },
    )


def load_client_features(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> None:
    """Replace as-of dates start..end of the client features, each computed only from data up to its as-of date."""
    features = table("features.client_features")
    ensure_table(con, features.name, features.ddl_columns)
    con.execute(f"DELETE FROM {features.name} WHERE as_of_date BETWEEN $start AND $end", {"start": start, "end": end})
    insert = f"INSERT INTO {features.name} {read_sql('features', 'client_features')}"
    windows = {"recency_half_life_days": RECENCY_HALF_LIFE_DAYS}
    for as_of in days(start, end):
        con.execute(insert, {"as_of": as_of, **windows})


TRANSACTION_KEYS = ["transaction_id", "transaction_date", "client_id", "account_id"]


def transaction_features(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date):
    """The anomaly model's inputs for transactions booked start..end, as a pandas frame."""
    return con.execute(
        read_sql("features", "transaction_features"),
        {
            "start": start,
            "end": end,
            "risky_merchants": list(RISKY_MERCHANTS),
            "merchant_channels": list(MERCHANT_CHANNELS),
        },
    ).df()
