"""Point-in-time client features: what the bank knew about each client at the close of an as-of date."""

import datetime as dt

import duckdb

from riskhub_assets.lib.frames import ensure_table
from riskhub_assets.lib.quality import TableChecks
from riskhub_assets.lib.sql_files import read_sql

RISKY_MERCHANTS = ("7995", "6051", "5944", "4829")
"""Gambling, quasi-cash/crypto, jewellery, money transfer: categories linked to financial stress and fraud."""
DISTRESS_MERCHANTS = ("7995", "6051", "4829", "6011")
"""Gambling, quasi-cash/crypto, money transfer and cash disbursement: card purchases that signal financial distress
(counted among card-present and online purchases, where a household's everyday spending goes)."""
RECENCY_HALF_LIFE_DAYS = 30
"""Weight of a repayment event halves every 30 days in the recent miss rate: last month counts most."""
LONG_WINDOW_DAYS = 180
"""The repayment history window. Where the bank's loaded history is shorter, its counts are scaled up to 180 days:
otherwise models trained on the first months (90 to 179 days behind them) would see smaller counts than they score."""

ACTIVITY_COLUMNS = """
    activity_date DATE, client_id VARCHAR, tx_count INTEGER, debit_count INTEGER, debit_amount DECIMAL(18,2),
    credit_amount DECIMAL(18,2), max_debit DECIMAL(18,2), night_count INTEGER, foreign_count INTEGER,
    risky_merchant_count INTEGER, digital_count INTEGER, cash_count INTEGER, branch_count INTEGER,
    transfer_inflow DECIMAL(18,2), purchase_count INTEGER, distress_purchase_count INTEGER,
    payments_due INTEGER, payments_missed INTEGER, complaints INTEGER, defaults INTEGER"""

FEATURE_COLUMNS = """
    as_of_date DATE, client_id VARCHAR, segment VARCHAR, employment_status VARCHAR, country VARCHAR,
    age_years DOUBLE, tenure_days INTEGER, annual_income DOUBLE, pep_flag BOOLEAN,
    products_held INTEGER, has_card BOOLEAN, has_loan BOOLEAN, has_savings BOOLEAN,
    current_balance DOUBLE, savings_balance DOUBLE, card_utilisation DOUBLE, loan_outstanding_share DOUBLE,
    avg_current_balance_30d DOUBLE, min_current_balance_30d DOUBLE, days_overdrawn_30d INTEGER,
    balance_trend_7d_vs_30d DOUBLE,
    recency_days INTEGER, frequency_90d INTEGER, monetary_90d DOUBLE, avg_amount_90d DOUBLE,
    tx_count_30d INTEGER, tx_trend_30d_vs_90d DOUBLE, inflow_30d DOUBLE, inflow_trend_30d_vs_90d DOUBLE,
    salary_inflow_30d DOUBLE, digital_share_90d DOUBLE, cash_share_90d DOUBLE, branch_share_90d DOUBLE,
    night_share_90d DOUBLE, foreign_share_90d DOUBLE, risky_merchant_share_90d DOUBLE,
    payments_due_90d INTEGER, missed_payments_90d INTEGER, missed_payments_180d DOUBLE, complaints_90d INTEGER,
    missed_in_a_row INTEGER, days_past_due INTEGER, accounts_in_arrears INTEGER, days_since_missed INTEGER,
    spend_to_income_30d DOUBLE, risky_merchant_share_30d DOUBLE, savings_vs_30d DOUBLE,
    payments_due_180d DOUBLE, miss_rate_180d DOUBLE, miss_rate_recent DOUBLE, arrears_runs_total INTEGER,
    loan_interest_rate DOUBLE, distress_purchase_share_30d DOUBLE, distress_purchase_share_90d DOUBLE"""


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def load_client_daily_activity(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> None:
    """Replace days start..end of each client's daily activity (transactions and events summed per client and day)."""
    window = {"start": start, "end": end}
    ensure_table(con, "features.client_daily_activity", ACTIVITY_COLUMNS)
    con.execute("DELETE FROM features.client_daily_activity WHERE activity_date BETWEEN $start AND $end", window)
    con.execute(
        f"INSERT INTO features.client_daily_activity {read_sql('features', 'client_daily_activity')}",
        {**window, "risky_merchants": list(RISKY_MERCHANTS), "distress_merchants": list(DISTRESS_MERCHANTS)},
    )


def load_client_features(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> None:
    """Replace as-of dates start..end of the client features, each computed only from data up to its as-of date."""
    ensure_table(con, "features.client_features", FEATURE_COLUMNS)
    con.execute(
        "DELETE FROM features.client_features WHERE as_of_date BETWEEN $start AND $end", {"start": start, "end": end}
    )
    insert = f"INSERT INTO features.client_features {read_sql('features', 'client_features')}"
    windows = {"long_window_days": LONG_WINDOW_DAYS, "recency_half_life_days": RECENCY_HALF_LIFE_DAYS}
    for as_of in _days(start, end):
        con.execute(insert, {"as_of": as_of, **windows})


ACTIVITY_CHECKS = TableChecks(
    "features.client_daily_activity",
    key=("activity_date", "client_id"),
    references={"client_id": "warehouse.dim_client.client_id"},
    ranges={"tx_count": ("0", None), "debit_amount": ("0", None), "credit_amount": ("0", None)},
    partition_column="activity_date",
    volume=False,
)

FEATURE_CHECKS = TableChecks(
    "features.client_features",
    key=("as_of_date", "client_id"),
    not_null=("tenure_days", "products_held", "recency_days", "frequency_90d"),
    references={"client_id": "warehouse.dim_client.client_id"},
    ranges={
        "age_years": ("16", "120"),
        "tenure_days": ("0", None),
        "recency_days": ("0", "90"),
        "digital_share_90d": ("0", "1"),
        "night_share_90d": ("0", "1"),
        "missed_in_a_row": ("0", None),
        "days_past_due": ("0", "179"),  # arrears are read over the last 180 days
        "card_utilisation": ("-5", "100"),  # over-limit cards exist; beyond this a limit is in the wrong unit
    },
    partition_column="as_of_date",
)


TRANSACTION_KEYS = ["transaction_id", "transaction_date", "client_id", "account_id"]


def transaction_features(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date):
    """The anomaly model's inputs for transactions booked start..end, as a pandas frame."""
    return con.execute(
        read_sql("features", "transaction_features"),
        {"start": start, "end": end, "risky_merchants": list(RISKY_MERCHANTS)},
    ).df()
