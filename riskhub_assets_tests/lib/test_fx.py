import datetime as dt
import shutil

import pytest

from riskhub_assets.lib.cleaning import clean_range
from riskhub_assets.lib.cleaning_specs import CLEANING_SPECS
from riskhub_assets.lib.contract import ACCOUNTS, BALANCES, FX_RATES, TRANSACTIONS
from riskhub_assets.lib.ingest import landing_file, load_raw_day, raw_table_ddl
from riskhub_assets.lib.reference import DEFAULT_DIR, ReferenceError, load_all_references
from riskhub_assets.lib.warehouse import load_table
from riskhub_assets_tests.conftest import write_landing

MONDAY = dt.date(2025, 3, 3)


def _load(con, tmp_path, day, spec, rows):
    write_landing(tmp_path, day, spec, rows)
    for ddl in raw_table_ddl(spec):
        con.execute(ddl)
    load_raw_day(con, spec, landing_file(tmp_path, day, spec), day)
    clean_range(con, CLEANING_SPECS[spec.name], day, day, b"")


def _bank(con, tmp_path, fixings: dict[dt.date, list[str]], day: dt.date, transactions: list[str], held="EUR"):
    """A bank whose only account is held in `held`, with the given fixings, then one day of transactions."""
    load_all_references(con)
    con.execute("CREATE SCHEMA IF NOT EXISTS clean")
    con.execute("CREATE TABLE clean.clients AS SELECT DATE '2025-01-01' AS business_date, 'C1' AS client_id")
    for fixing_day, rows in sorted(fixings.items()):
        _load(con, tmp_path, fixing_day, FX_RATES, rows)
    _load(con, tmp_path, day, ACCOUNTS, [f"A1,C1,current,{held},2020-01-01,,,2500.00"])
    _load(con, tmp_path, day, BALANCES, [])
    _load(con, tmp_path, day, TRANSACTIONS, transactions)


def test_a_rate_converts_amounts_and_balances_into_the_reporting_currency(con, tmp_path):
    day = MONDAY + dt.timedelta(days=2)  # the Monday fixing still holds on Wednesday
    _bank(con, tmp_path, {MONDAY: ["CZK,0.04"]}, day, [f"T1,A1,{day}T10:00:00,100.00,CZK,debit,pos,,CZ"], "CZK")
    con.execute("CREATE SCHEMA warehouse")
    load_table(con, "fact_transactions", day, day)
    load_table(con, "fact_account_balances", day, day)
    row = con.execute("SELECT amount, currency, amount_reporting FROM warehouse.fact_transactions").fetchone()
    assert [float(row[0]), row[1], float(row[2])] == [100.0, "CZK", 4.0]
    assert float(con.execute("SELECT balance_reporting FROM warehouse.fact_account_balances").fetchone()[0]) == 100.0


def test_no_rate_within_a_week_is_a_quarantine_reason_never_a_conversion(con, tmp_path):
    day = MONDAY + dt.timedelta(days=7)  # a week after the last fixing
    rows = [f"T1,A1,{day}T10:00:00,100.00,CZK,debit,pos,,CZ", f"T2,A1,{day}T11:00:00,5.00,EUR,debit,pos,,CZ"]
    _bank(con, tmp_path, {MONDAY: ["CZK,0.04"]}, day, rows)
    assert con.execute("SELECT transaction_id FROM clean.transactions").fetchall() == [("T2",)]
    reason = con.execute("SELECT reason FROM clean.transactions_quarantine").fetchone()[0]
    assert reason == "no rate into the reporting currency in fx_rates.csv within a week for currency: 'CZK'"


def test_a_later_fixing_replaces_the_earlier_one(con, tmp_path):
    day = MONDAY + dt.timedelta(days=1)
    _bank(con, tmp_path, {MONDAY: ["CZK,0.04"], day: ["CZK,0.05"]}, day, [f"T1,A1,{day}T10:00:00,10,CZK,debit,pos,,CZ"])
    con.execute("CREATE SCHEMA warehouse")
    load_table(con, "fact_transactions", day, day)
    assert float(con.execute("SELECT amount_reporting FROM warehouse.fact_transactions").fetchone()[0]) == 0.5


def test_a_non_positive_rate_is_quarantined(con, tmp_path):
    _bank(con, tmp_path, {MONDAY: ["CZK,0", "USD,0.9"]}, MONDAY, [])
    assert con.execute("SELECT currency FROM clean.fx_rates").fetchall() == [("USD",)]
    assert con.execute("SELECT reason FROM clean.fx_rates_quarantine").fetchone()[0] == "rate not positive"


@pytest.mark.parametrize("marked", [[], ["EUR", "CZK"]])
def test_the_currency_list_marks_exactly_one_reporting_currency(con, tmp_path, marked):
    folder = tmp_path / "reference"
    shutil.copytree(DEFAULT_DIR, folder)
    lines = (folder / "currencies.csv").read_text().splitlines()
    rows = [line.rsplit(",", 1)[0] + (",1" if line[:3] in marked else ",0") for line in lines[1:]]
    (folder / "currencies.csv").write_text("\n".join([lines[0], *rows]) + "\n")
    with pytest.raises(ReferenceError, match="exactly one reporting currency"):
        load_all_references(con, folder)


def test_an_account_in_a_currency_without_a_rate_is_quarantined_saying_so(con, tmp_path):
    day = MONDAY + dt.timedelta(days=8)
    _bank(con, tmp_path, {MONDAY: ["CZK,0.04"]}, day, [], "CZK")
    reason = con.execute("SELECT reason FROM clean.accounts_quarantine").fetchone()[0]
    assert reason == "no rate into the reporting currency in fx_rates.csv within a week for currency: 'CZK'"
