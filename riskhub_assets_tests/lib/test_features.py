"""Arrears and repayment features read from repayment events, balances and daily activity."""

import datetime as dt

import duckdb
import pytest

from riskhub_assets.lib.features import load_client_features
from riskhub_assets.lib.frames import SchemaChanged, ensure_table
from riskhub_assets.tables import table

AS_OF = dt.date(2025, 6, 30)


def _day(days_before: int) -> dt.date:
    return AS_OF - dt.timedelta(days=days_before)


@pytest.fixture
def con():
    con = duckdb.connect()
    for schema in ("warehouse", "clean", "features"):
        con.execute(f"CREATE SCHEMA {schema}")
    con.execute(
        "CREATE TABLE warehouse.fact_account_balances (snapshot_date DATE, account_id VARCHAR, client_id VARCHAR,"
        " account_type VARCHAR, balance DECIMAL(18,2), limit_or_principal DECIMAL(18,2), is_open BOOLEAN,"
        " balance_reporting DECIMAL(18,2) GENERATED ALWAYS AS (balance))"  # accounts held in the reporting currency
    )
    con.execute(f"CREATE TABLE warehouse.fact_defaults ({table('warehouse.fact_defaults').ddl_columns})")
    con.execute(
        "CREATE TABLE warehouse.fact_events (event_date DATE, event_ts TIMESTAMP, client_id VARCHAR,"
        " account_id VARCHAR, event_type VARCHAR, amount DECIMAL(18,2))"
    )
    con.execute(
        "CREATE TABLE clean.clients (business_date DATE, _row_number INTEGER, client_id VARCHAR, segment VARCHAR,"
        " employment_status VARCHAR, country VARCHAR, birth_month DATE, onboarding_date DATE, annual_income DOUBLE,"
        " pep_flag BOOLEAN)"
    )
    con.execute(f"CREATE TABLE features.client_daily_activity ({table('features.client_daily_activity').ddl_columns})")
    balances = [
        ("A", "A-loan", "loan", -900, 1000),
        ("A", "A-sav", "savings", 400, 0),
        ("B", "B-card", "card", -100, 1000),
        ("C", "C-cur", "current", 50, 0),
    ]
    for client, account, kind, balance, limit in balances:
        con.execute(
            "INSERT INTO warehouse.fact_account_balances VALUES (?, ?, ?, ?, ?, ?, true)",
            [AS_OF, account, client, kind, balance, limit],
        )
    for client in "ABC":
        con.execute(
            "INSERT INTO clean.clients VALUES (?, 1, ?, 'retail', 'employed', 'FR', '1980-01-01', '2020-01-01',"
            " 36000, false)",
            [_day(400), client],
        )
    con.execute(
        "INSERT INTO warehouse.fact_account_balances VALUES (?, 'A-sav', 'A', 'savings', 1000, 0, true)", [_day(30)]
    )
    # A's loan: 1,000 outstanding before its repayment 60 days ago, 900 after it; the 110 instalment paid 10 interest.
    for days_before, balance in ((61, -1000), (60, -900)):
        con.execute(
            "INSERT INTO warehouse.fact_account_balances VALUES (?, 'A-loan', 'A', 'loan', ?, 1000, true)",
            [_day(days_before), balance],
        )
    events = [
        ("A", "A-loan", 60, "payment_made", 110),
        ("A", "A-loan", 30, "payment_missed", 110),
        ("A", "A-loan", 1, "payment_missed", 110),
        ("B", "B-card", 50, "payment_missed", 40),
        ("B", "B-card", 20, "payment_made", 40),
    ]
    for client, account, days_before, kind, amount in events:
        day = _day(days_before)
        con.execute(
            "INSERT INTO warehouse.fact_events VALUES (?, ?, ?, ?, ?, ?)",
            [day, dt.datetime.combine(day, dt.time(7)), client, account, kind, amount],
        )
    # Daily activity as the activity asset sums it: A's three dues and two misses, B's purchases.
    activity = [
        ("C", 400, 0, 0, 0, 0),  # the bank's history starts long before the 180-day window
        ("A", 60, 1, 0, 0, 0),
        ("A", 30, 1, 1, 0, 0),
        ("A", 1, 1, 1, 0, 0),
        ("B", 50, 0, 0, 10, 0),
        ("B", 5, 0, 0, 10, 2),
    ]
    for client, days_before, due, missed, purchases, distress in activity:
        con.execute(
            "INSERT INTO features.client_daily_activity BY NAME SELECT ? AS activity_date, ? AS client_id,"
            " 0 AS tx_count, ? AS purchase_count, ? AS known_purchase_count, ? AS distress_purchase_count,"
            " ? AS payments_due, ? AS payments_missed",
            [_day(days_before), client, purchases, purchases, distress, due, missed],
        )
    yield con
    con.close()


def test_arrears_count_misses_since_the_last_payment_made(con):
    load_client_features(con, AS_OF, AS_OF)
    rows = con.execute(
        "SELECT client_id, missed_in_a_row, days_past_due, accounts_in_arrears, days_since_missed, savings_vs_30d"
        " FROM features.client_features ORDER BY client_id"
    ).fetchall()
    assert rows == [("A", 2, 30, 1, 1, 0.4), ("B", 0, 0, 0, 50, None), ("C", 0, 0, 0, 180, None)]


def test_repayment_history_loan_rate_and_distress_purchases(con):
    load_client_features(con, AS_OF, AS_OF)
    rows = con.execute(
        "SELECT client_id, payments_due_90d, miss_rate_180d, miss_rate_recent, arrears_runs_total,"
        " loan_interest_rate, distress_purchase_share_30d, distress_purchase_share_90d"
        " FROM features.client_features ORDER BY client_id"
    ).fetchall()
    weight = [0.5 ** (d / 30) for d in (60, 30, 1)]  # a 30-day half-life: last month's miss weighs most
    assert rows[0][:3] == ("A", 3, pytest.approx(2 / 3))
    assert rows[0][3] == pytest.approx((weight[1] + weight[2]) / sum(weight))
    assert rows[0][4:6] == (2, pytest.approx(12 * 10 / 1000))  # 10 interest on 1,000 in a month: 12% a year
    assert rows[0][6:] == (None, None)  # no purchases
    assert rows[1] == ("B", 0, None, None, 0, None, pytest.approx(0.2), pytest.approx(0.1))
    assert rows[2][4:] == (0, None, None, None)


def test_shares_of_inputs_the_bank_did_not_send_are_missing_not_zero(con):
    con.execute(
        "UPDATE features.client_daily_activity SET tx_count = 4, night_count = 0, timed_count = 0,"
        " foreign_count = 0, counterparty_known_count = 0, risky_merchant_count = 0, merchant_known_count = 0,"
        " known_purchase_count = 0 WHERE client_id = 'B'"
    )
    con.execute(
        "UPDATE features.client_daily_activity SET tx_count = 4, night_count = 1, timed_count = 4,"
        " foreign_count = 0, counterparty_known_count = 2, risky_merchant_count = 1, merchant_known_count = 4"
        " WHERE client_id = 'A'"
    )
    load_client_features(con, AS_OF, AS_OF)
    rows = con.execute(
        "SELECT client_id, night_share_90d, foreign_share_90d, risky_merchant_share_90d, distress_purchase_share_90d"
        " FROM features.client_features WHERE client_id IN ('A', 'B') ORDER BY client_id"
    ).fetchall()
    assert rows == [("A", 0.25, 0.0, 0.25, None), ("B", None, None, None, None)]


def test_a_table_with_an_older_schema_is_refused_with_its_remedy(con):
    con.execute("CREATE TABLE features.client_features (as_of_date DATE, client_id VARCHAR)")
    with pytest.raises(SchemaChanged, match="DROP TABLE features.client_features"):
        load_client_features(con, AS_OF, AS_OF)
    ensure_table(con, "features.other", "a INTEGER")
    ensure_table(con, "features.other", "a INTEGER")  # the same schema is accepted


def test_a_short_loaded_history_changes_no_repayment_feature(con):
    """Training as-of dates have 90 to 179 days of loaded history behind them, scoring days 180: no feature may be
    scaled (or shrunk) by how much history was loaded, or the model scores values it never saw."""
    load_client_features(con, AS_OF, AS_OF)
    full = con.execute("SELECT * FROM features.client_features ORDER BY client_id").df()
    con.execute("UPDATE features.client_daily_activity SET activity_date = ? WHERE client_id = 'C'", [_day(89)])
    load_client_features(con, AS_OF, AS_OF)  # the bank's loaded history now begins 89 days back
    short = con.execute("SELECT * FROM features.client_features ORDER BY client_id").df()
    assert short.loc[0].equals(full.loc[0]), (short.loc[0] != full.loc[0]).loc[lambda d: d]  # client A, every feature
    assert short.loc[0, "miss_rate_180d"] == pytest.approx(2 / 3)


def test_age_is_in_whole_years_from_the_birth_month(con):
    born = {"A": "1980-06-01", "B": "1980-07-01", "C": None}  # clean.clients keeps the month of birth only
    for client, month in born.items():
        con.execute("UPDATE clean.clients SET birth_month = ? WHERE client_id = ?", [month, client])
    load_client_features(con, AS_OF, AS_OF)
    ages = con.execute("SELECT client_id, age_years FROM features.client_features ORDER BY client_id").fetchall()
    assert ages == [("A", 45), ("B", 44), ("C", None)]  # B turns 45 in July: not yet on 30 June
