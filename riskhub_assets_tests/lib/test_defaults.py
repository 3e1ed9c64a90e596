"""The default definition (CRR Art. 178): 90 days past due or unlikely to pay, read from whatever the bank sends."""

import datetime as dt

import pandas as pd
import pytest

from riskhub_assets.lib.cleaning import clean_table_ddl
from riskhub_assets.lib.cleaning_specs import CLEANING_SPECS
from riskhub_assets.lib.labels import client_labels
from riskhub_assets.lib.warehouse import load_table
from riskhub_assets.tables import table

D = dt.date(2025, 3, 10)
DAY_BEFORE, TWO_DAYS_BEFORE = D - dt.timedelta(days=1), D - dt.timedelta(days=2)
REPORTS = [  # business day, facility, client, status, days past due, default flag, unlikely to pay, status since
    (D, "F89", "C89", "arrears", 89, False, None, None),
    (D, "F90", "C90", "arrears", 90, False, None, None),
    (D, "F120", "C120", "arrears", 120, None, None, None),
    (D, "FFLAG", "CFLAG", "arrears", 10, True, None, None),
    (D, "FUTP", "CUTP", "performing", 0, False, True, None),
    (D, "FWO", "CWO", "written_off", None, None, None, dt.date(2024, 6, 30)),
    (D, "FREP", "CREP", "repaid", 0, False, False, None),
    (TWO_DAYS_BEFORE, "FCURE", "CCURE", "default", 95, True, None, None),
    (DAY_BEFORE, "FCURE", "CCURE", "performing", 0, False, None, None),
    (D, "FCURE", "CCURE", "default", None, True, None, None),
    (DAY_BEFORE, "FSTAY", "CSTAY", "default", None, None, None, None),
    (D, "FSTAY", "CSTAY", "default", None, None, None, None),
    (D, "FBOTH", "CBOTH", "default", None, True, None, None),
]
EVENTS = [("E1", D - dt.timedelta(days=5), "CEVT"), ("E2", D, "CBOTH")]


@pytest.fixture
def defaults(con) -> pd.DataFrame:
    for ddl in clean_table_ddl(CLEANING_SPECS["credit_facilities"]):
        con.execute(ddl)
    for i, (day, facility, client, status, dpd, flag, utp, since) in enumerate(REPORTS):
        con.execute(
            "INSERT INTO clean.credit_facilities (business_date, facility_id, client_id, product_code, currency,"
            " principal, start_date, status, days_past_due, default_flag, unlikely_to_pay, status_since, _file,"
            " _row_number) VALUES (?, ?, ?, 'personal_loan', 'EUR', 1000, DATE '2024-01-01', ?, ?, ?, ?, ?, 'f', ?)",
            [day, facility, client, status, dpd, flag, utp, since, i + 2],
        )
    load_table(con, "fact_credit_facility", TWO_DAYS_BEFORE, D)
    con.execute(f"CREATE TABLE warehouse.fact_events ({table('warehouse.fact_events').ddl_columns})")
    for event_id, day, client in EVENTS:
        con.execute(
            "INSERT INTO warehouse.fact_events (event_id, event_date, event_ts, client_id, event_type)"
            " VALUES (?, ?, CAST(? AS TIMESTAMP), ?, 'default')",
            [event_id, day, day, client],
        )
    load_table(con, "fact_defaults")
    return con.execute("SELECT * FROM warehouse.fact_defaults ORDER BY client_id, default_date").df()


def _began(defaults: pd.DataFrame) -> dict[str, list[dt.date]]:
    return {c: [d.date() for d in g["default_date"]] for c, g in defaults.groupby("client_id")}


def test_each_kind_of_evidence_dates_when_a_default_began(defaults):
    assert _began(defaults) == {
        "C90": [D],  # 90 days past due: a default; 89 (C89) is not
        "C120": [D - dt.timedelta(days=30)],  # first reported at 120 days: it reached 90 thirty days before
        "CFLAG": [D],
        "CUTP": [D],
        "CWO": [dt.date(2024, 6, 30)],  # ended unpaid, no event: dated by status_since, reported on D
        "CCURE": [D - dt.timedelta(days=7), D],  # 95 days past due two days before; cured, then defaulted again
        "CSTAY": [DAY_BEFORE],  # still in default the next day: the same default
        "CEVT": [D - dt.timedelta(days=5)],
        "CBOTH": [D],  # an event and a facility on the same day: one default
    }
    rows = defaults.set_index("client_id")
    assert rows.loc["CWO", "reported_date"].date() == D
    assert rows.loc["C90", "evidence"] == "days past due"
    assert rows.loc["CBOTH", "evidence"] == "default event; default flag, status default"


def test_the_label_is_a_default_beginning_in_the_horizon(con, defaults):
    as_of, clients = D - dt.timedelta(days=10), sorted({r[2] for r in REPORTS} | {e[2] for e in EVENTS})
    con.execute("CREATE SCHEMA features")
    con.execute(
        "CREATE TABLE features.client_features AS SELECT ?::DATE AS as_of_date, unnest(?) AS client_id",
        [as_of, clients],
    )
    con.execute(
        "CREATE TABLE features.client_daily_activity (activity_date DATE, client_id VARCHAR, tx_count INTEGER,"
        " debit_amount DECIMAL(18,2))"
    )
    con.execute("CREATE TABLE warehouse.fact_account_balances (snapshot_date DATE, client_id VARCHAR, is_open BOOLEAN)")
    labels = client_labels(con, [as_of], horizon=10).set_index("client_id")["default_label"]
    assert sorted(labels[labels].index) == ["C90", "CBOTH", "CCURE", "CEVT", "CFLAG", "CSTAY", "CUTP"]
