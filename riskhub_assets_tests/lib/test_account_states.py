"""Accounts landing as change records: an account's state on a day is its latest record on or before that day."""

import datetime as dt

import pytest

from riskhub_assets.lib import warehouse
from riskhub_assets.lib.cleaning import clean_range
from riskhub_assets.lib.cleaning_specs import CLEANING_SPECS
from riskhub_assets.lib.contract import LANDING_FILES
from riskhub_assets.lib.ingest import load_raw_days
from riskhub_assets.lib.reference import load_all_references
from riskhub_assets_tests.conftest import write_landing

DAYS = [dt.date(2025, 3, d) for d in range(1, 7)]
KEY = b"unit-test-key"
MANAGER = "M1,B1,Harbour branch,north,2015-05-01,25"
CLIENT = "C1,Ann Lee,1980-01-02,1 Rue X,FR,,,ID1,50000,employed,mass,2020-01-01,,0,0,M1"
OPENED = "A1,C1,card,EUR,2025-03-01,,1000,-10.00"
CHANGED = "A1,C1,card,EUR,2025-03-01,,2500,"
CLOSED = "A1,C1,card,EUR,2025-03-01,2025-03-05,2500,0.00"
LANDED = {
    (DAYS[0], "relationship_managers"): [MANAGER],
    (DAYS[0], "clients"): [CLIENT],
    (DAYS[0], "accounts"): [OPENED],
    (DAYS[2], "accounts"): [CHANGED],
    (DAYS[4], "accounts"): [CLOSED],
    (DAYS[1], "balances"): ["A1,-20.00"],
    (DAYS[2], "balances"): ["A1,-30.00"],
    **{(day, "transactions"): [f"T{day.day},A1,{day}T10:00:00,5.00,EUR,debit,pos,5411,FR"] for day in DAYS},
    (DAYS[3], "events"): ["E1,C1,A1,2025-03-04T09:00:00,complaint,"],
    (DAYS[5], "events"): ["E2,C1,A1,2025-03-06T09:00:00,complaint,", "E3,C1,A9,2025-03-06T09:00:00,complaint,"],
}
"""Account A1 opened on day 1, its limit raised on day 3, closed on day 5; a transaction on it every day; balances
sent in their own file on days 2 and 3 only (no balances file on the other days)."""


def _load_and_clean(con, tmp_path, windows):
    load_all_references(con)
    for day in DAYS:
        for spec in LANDING_FILES:
            if not spec.optional or (day, spec.name) in LANDED:
                write_landing(tmp_path, day, spec, LANDED.get((day, spec.name), []))
    for spec in LANDING_FILES:
        load_raw_days(con, spec, tmp_path, DAYS[0], DAYS[-1])
        for start, end in windows:
            clean_range(con, CLEANING_SPECS[spec.name], start, end, KEY)


WHOLE_RANGE, DAY_BY_DAY = [(DAYS[0], DAYS[-1])], [(day, day) for day in DAYS]


@pytest.mark.parametrize("windows", [WHOLE_RANGE, DAY_BY_DAY], ids=["whole range", "day by day"])
def test_a_transaction_after_the_closing_day_is_quarantined_as_closed(con, tmp_path, windows):
    _load_and_clean(con, tmp_path, windows)
    clean = con.execute("SELECT transaction_id FROM clean.transactions ORDER BY business_date").fetchall()
    assert [t for (t,) in clean] == ["T1", "T2", "T3", "T4", "T5"]
    quarantined = con.execute("SELECT business_date, reason FROM clean.transactions_quarantine").fetchall()
    assert quarantined == [(DAYS[5], "account_id closed before the business date: 'A1' closed on 2025-03-05")]
    events = dict(con.execute("SELECT record->>'event_id', reason FROM clean.events_quarantine").fetchall())
    assert events == {
        "E2": "account_id closed before the business date: 'A1' closed on 2025-03-05",
        "E3": "unknown account_id: 'A9'",
    }
    assert con.execute("SELECT event_id FROM clean.events").fetchall() == [("E1",)]
    assert con.execute("SELECT count(*) FROM clean.balances").fetchone()[0] == 2


def test_a_transaction_before_the_first_record_is_unknown(con, tmp_path):
    _load_and_clean(con, tmp_path, [(DAYS[0], DAYS[-1])])
    con.execute("DELETE FROM clean.accounts WHERE business_date = $day", {"day": DAYS[0]})
    clean_range(con, CLEANING_SPECS["transactions"], DAYS[0], DAYS[-1], KEY)
    reasons = dict(con.execute("SELECT business_date, reason FROM clean.transactions_quarantine").fetchall())
    assert reasons[DAYS[0]] == reasons[DAYS[1]] == "unknown account_id: 'A1'"
    assert con.execute("SELECT count(*) FROM clean.transactions").fetchone()[0] == 3


def test_the_star_schema_reads_each_account_as_of_its_day(con, tmp_path):
    _load_and_clean(con, tmp_path, DAY_BY_DAY)
    for name in ("dim_account", "fact_transactions", "fact_account_balances"):
        warehouse.load_table(con, name, DAYS[0], DAYS[-1])
    account = con.execute(
        "SELECT limit_or_principal, close_date, is_open, last_record_date FROM warehouse.dim_account"
    ).fetchall()
    assert account == [(2500, DAYS[4], False, DAYS[4])]
    clients = con.execute("SELECT transaction_date, client_id FROM warehouse.fact_transactions ORDER BY 1").fetchall()
    assert clients == [(day, "C1") for day in DAYS[:5]]
    balances = con.execute(
        "SELECT snapshot_date, balance, limit_or_principal, is_open FROM warehouse.fact_account_balances ORDER BY 1"
    ).fetchall()
    # Day 1: accounts.csv's balance; days 2-3: balances.csv's (it wins over day 3's empty one); day 4: none sent,
    # so none (not carried forward); day 5: the closing record's.
    assert balances == [
        (DAYS[0], -10, 1000, True),
        (DAYS[1], -20, 1000, True),
        (DAYS[2], -30, 2500, True),
        (DAYS[4], 0, 2500, False),
    ]
