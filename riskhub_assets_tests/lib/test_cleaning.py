import datetime as dt

import pytest

from riskhub_assets.lib.cleaning import clean_range
from riskhub_assets.lib.cleaning_specs import CLEANING_SPECS
from riskhub_assets.lib.contract import LANDING_FILES, TRANSACTIONS
from riskhub_assets.lib.frames import SchemaChanged
from riskhub_assets.lib.ingest import landing_file, load_raw_day, raw_table_ddl
from riskhub_assets.lib.pseudonymise import pseudonym
from riskhub_assets.lib.quality import landed_days_not_empty, quarantine_rate, row_conservation
from riskhub_assets.lib.reference import load_all_references
from riskhub_assets.lib.warehouse import load_table
from riskhub_assets.tables import table
from riskhub_assets_tests.conftest import write_landing

DAY = dt.date(2025, 3, 4)
KEY = b"unit-test-key"
MANAGER = "M1,B1,Harbour branch,north,2015-05-01,25"
CLIENT = 'C1,Ann  Lee,1980-01-02,"1 Rue X, Paris",FR,Ann@X.com,+33123,ID1,50000,employed,mass,2020-01-01,,0,0,M1'
ACCOUNT = "A1,C1,current,EUR,2020-01-01,,,100.50"
TX = "T1,A1,2025-03-04T10:00:00,12.50,EUR,debit,pos,5411,FR"
EVENT = "E1,C1,A1,2025-03-04T09:00:00,complaint,"
HOLDING = "H1,C1,Mortgage,2021-05-01,"
FACILITY = "F1,C1,A1,personal_loan,EUR,10000,2024-01-15,2029-01-15,190.50,4.25,performing,0,0,,"


def _land_and_clean(con, tmp_path, rows: dict[str, list[str]]):
    results = {}
    rows = {"relationship_managers": [MANAGER], "fx_rates": ["USD,0.92"], **rows}
    load_all_references(con)
    for spec in LANDING_FILES:
        write_landing(tmp_path, DAY, spec, rows.get(spec.name, []))
        for ddl in raw_table_ddl(spec):
            con.execute(ddl)
        load_raw_day(con, spec, landing_file(tmp_path, DAY, spec), DAY)
        results[spec.name] = clean_range(con, CLEANING_SPECS[spec.name], DAY, DAY, KEY)
    return results


def _reasons(con, name):
    return dict(con.execute(f"SELECT _row_number, reason FROM clean.{name}_quarantine").fetchall())


def test_valid_rows_are_typed_standardised_and_pseudonymised(con, tmp_path):
    client = CLIENT.replace("1980-01-02", "02/01/1980").replace(",FR,", ",fr,")
    result = _land_and_clean(
        con,
        tmp_path,
        {
            "clients": [client],
            "accounts": [ACCOUNT.replace("EUR", "eur")],
            "balances": ["A1,99.00"],
            "transactions": [TX.replace("2025-03-04T", "2025-03-04 ")],
            "events": [EVENT],
            "product_holdings": [HOLDING],
            "credit_facilities": [FACILITY],
        },
    )
    assert all(r.clean_rows == 1 and r.quarantined == 0 for r in result.values())
    assert con.execute("SELECT product_code FROM clean.product_holdings").fetchone()[0] == "mortgage"
    row = con.execute("SELECT birth_month, country, full_name_pseudonym, email_pseudonym FROM clean.clients").fetchone()
    assert row[:2] == (dt.date(1980, 1, 1), "FR")  # the birth date kept to its month
    assert row[2] == pseudonym("ann lee", KEY) and row[3] == pseudonym("ann@x.com", KEY)
    assert con.execute("SELECT currency FROM clean.accounts").fetchone()[0] == "EUR"
    columns = {r[0] for r in con.execute("DESCRIBE clean.clients").fetchall()}
    assert not columns & {"full_name", "email", "phone", "national_id", "address", "birth_date"}


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (TX.replace("12.50", "-3"), "impossible amount (must be > 0 and < 1,000,000)"),
        (TX.replace("12.50", "2000000"), "impossible amount (must be > 0 and < 1,000,000)"),
        (TX.replace("12.50", '"12,3x"'), "invalid decimal in amount: '12,3x'"),
        (TX.replace("T1,", ","), "missing transaction_id"),
        (TX.replace(",A1,", ",A404,"), "unknown account_id: 'A404'"),
        (TX.replace(",pos,", ",telepathy,"), "channel not in reference.channels: 'telepathy'"),
        (TX.replace("2025-03-04T", "2025-03-05T"), "timestamp outside the business date"),
        (TX.replace(",FR", ",France"), "counterparty_country not an ISO 3166 alpha-2 code: 'FRANCE'"),
        (TX.replace("12.50", "12.345"), "more than 2 decimals in amount (below a cent): '12.345'"),
        (TX.replace("2025-03-04T10:00:00", "2025-03-03T10:00:00Z"), "timestamp outside the business date"),
    ],
)
def test_invalid_transactions_are_quarantined_with_their_reason(con, tmp_path, row, reason):
    result = _land_and_clean(con, tmp_path, {"clients": [CLIENT], "accounts": [ACCOUNT], "transactions": [row]})
    assert result["transactions"].clean_rows == 0
    assert _reasons(con, "transactions") == {2: reason}


def test_duplicates_are_removed_and_conflicts_quarantined(con, tmp_path):
    rows = [TX, TX, TX.replace("12.50", "13.00"), TX.replace("T1", "T2")]
    result = _land_and_clean(con, tmp_path, {"clients": [CLIENT], "accounts": [ACCOUNT], "transactions": rows})
    tx = result["transactions"]
    assert (tx.raw_rows, tx.clean_rows, tx.quarantined, tx.duplicates_removed) == (4, 2, 1, 1)
    assert _reasons(con, "transactions") == {4: "duplicate transaction_id with different content: first at line 2"}
    assert row_conservation(con, "transactions", TRANSACTIONS.header, DAY, DAY).passed


def test_several_problems_are_all_reported(con, tmp_path):
    client = CLIENT.replace("50000", "lots").replace("mass,2020-01-01", "vip,")
    _land_and_clean(con, tmp_path, {"clients": [client]})
    assert _reasons(con, "clients")[2] == (
        "invalid decimal in annual_income; missing onboarding_date; segment not in reference.segments: 'vip'"
    )


def test_a_client_with_every_optional_column_empty_is_clean_and_keeps_them_missing(con, tmp_path):
    bare = "C1,,,,FR,,,,,,,2020-01-01,,,,"
    result = _land_and_clean(con, tmp_path, {"clients": [bare]})
    assert (result["clients"].clean_rows, result["clients"].quarantined) == (1, 0)
    row = con.execute(
        "SELECT full_name_pseudonym, birth_month, segment, employment_status, pep_flag, sanctions_flag, manager_id"
        " FROM clean.clients"
    ).fetchone()
    assert row == (None,) * 7


def test_manager_ids_resolve_only_once_a_relationship_managers_file_was_sent(con, tmp_path):
    client = CLIENT.replace(",M1", ",M9")
    _land_and_clean(con, tmp_path, {"clients": [client]})
    assert _reasons(con, "clients") == {2: "unknown manager_id: 'M9'"}
    con.execute("DELETE FROM clean.relationship_managers")
    result = clean_range(con, CLEANING_SPECS["clients"], DAY, DAY, KEY)
    assert (result.clean_rows, result.quarantined) == (1, 0)  # no managers sent: kept as the bank gave it


def test_a_date_alone_is_a_booking_day_with_the_time_unknown(con, tmp_path):
    rows = [
        TX.replace("2025-03-04T10:00:00", "2025-03-04"),
        TX.replace("T1,", "T2,").replace("2025-03-04T10:00:00", ""),
        TX.replace("T1,", "T3,").replace("2025-03-04T10:00:00", "05/03/2025"),
        TX.replace("T1,", "T4,").replace("2025-03-04T10:00:00", "soon"),
        TX.replace("T1,", "T5,").replace(",5411,FR", ",,"),
    ]
    _land_and_clean(con, tmp_path, {"clients": [CLIENT], "accounts": [ACCOUNT], "transactions": rows})
    clean = con.execute('SELECT transaction_id, "timestamp" FROM clean.transactions ORDER BY 1').fetchall()
    assert clean == [("T1", None), ("T2", None), ("T5", dt.datetime(2025, 3, 4, 10))]
    assert _reasons(con, "transactions") == {
        4: "timestamp outside the business date",
        5: "invalid timestamp in timestamp: 'soon'",
    }


def test_personal_data_never_reaches_the_quarantine(con, tmp_path):
    _land_and_clean(con, tmp_path, {"clients": [CLIENT.replace("1980-01-02", "yesterday"), "C2,Bob"]})
    records = con.execute("SELECT coalesce(record, '') FROM clean.clients_quarantine").fetchall()
    assert len(records) == 2
    assert not any("Ann" in r[0] or "Rue" in r[0] or "Bob" in r[0] for r in records)


def test_references_must_be_known_on_the_day(con, tmp_path):
    result = _land_and_clean(
        con,
        tmp_path,
        {
            "clients": [CLIENT],
            "accounts": [ACCOUNT.replace(",C1,", ",C9,")],
            "events": [EVENT.replace("E1,C1", "E1,C7")],
        },
    )
    assert _reasons(con, "accounts") == {2: "unknown client_id: 'C9'"}
    assert _reasons(con, "events") == {2: "unknown client_id: 'C7'; unknown account_id: 'A1'"}
    assert result["events"].reasons == {"unknown client_id": 1, "unknown account_id": 1}


def test_a_day_quarantining_more_than_the_limit_fails_naming_the_file_and_top_reasons(con, tmp_path):
    bad = [TX.replace("T1,", f"T{i},").replace("12.50", "lots") for i in range(3)] + [TX.replace(",A1,", ",A404,")]
    _land_and_clean(con, tmp_path, {"clients": [CLIENT], "accounts": [ACCOUNT], "transactions": [TX, *bad]})
    outcome = quarantine_rate(con, "transactions", DAY, DAY)
    assert not outcome.passed and not outcome.warn_only
    assert outcome.detail == {"landed": 5, "quarantined": 4, "days_over_limit": 1}
    assert f"{DAY}: {tmp_path / DAY.isoformat() / 'transactions.csv'} had 4 of 5 records quarantined (80.0%)" in (
        outcome.summary
    )
    assert "top reasons: invalid decimal in amount = 3, unknown account_id = 1" in outcome.summary
    assert "limit of 5% (RISKHUB_MAX_QUARANTINE_RATE)" in outcome.summary
    assert quarantine_rate(con, "transactions", DAY, DAY, limit=0.8).passed


def test_a_fact_left_empty_on_a_day_with_landed_rows_fails_naming_the_file_and_cause(con, tmp_path):
    bad = [TX.replace("12.50", "lots"), TX.replace("T1,", "T2,").replace("12.50", "-1")]
    _land_and_clean(con, tmp_path, {"clients": [CLIENT], "accounts": [ACCOUNT], "transactions": bad})
    load_table(con, "fact_transactions", DAY, DAY)
    outcome = landed_days_not_empty(con, table("warehouse.fact_transactions"), DAY, DAY)
    assert not outcome.passed and outcome.detail == {str(DAY): 2}
    assert (
        f"{DAY}: {tmp_path / DAY.isoformat() / 'transactions.csv'} landed 2 rows but warehouse.fact_transactions has"
        " none: clean.transactions has 0 rows (2 quarantined: impossible amount (must be > 0 and < 1,000,000) = 1,"
        " invalid decimal in amount = 1); clean.accounts has 1 rows"
    ) in outcome.summary

    _land_and_clean(con, tmp_path, {"clients": [CLIENT], "accounts": [ACCOUNT], "transactions": [TX]})
    load_table(con, "fact_transactions", DAY, DAY)
    assert landed_days_not_empty(con, table("warehouse.fact_transactions"), DAY, DAY).passed


def _land_day(con, tmp_path, day, rows: dict[str, list[str]]):
    rows = {"relationship_managers": [MANAGER], "fx_rates": ["USD,0.92"], **rows}
    for spec in LANDING_FILES:
        write_landing(tmp_path, day, spec, rows.get(spec.name, []))
        for ddl in raw_table_ddl(spec):
            con.execute(ddl)
        load_raw_day(con, spec, landing_file(tmp_path, day, spec), day)


@pytest.mark.parametrize("one_run", [False, True])
def test_a_transaction_or_event_resent_on_a_later_day_is_quarantined_naming_the_first_day(con, tmp_path, one_run):
    load_all_references(con)
    later = DAY + dt.timedelta(days=1)
    _land_day(con, tmp_path, DAY, {"clients": [CLIENT], "accounts": [ACCOUNT], "transactions": [TX], "events": [EVENT]})
    resent = {"transactions": [TX.replace("03-04T", "03-05T"), TX.replace("T1", "T2").replace("03-04T", "03-05T")]}
    _land_day(con, tmp_path, later, {**resent, "events": [EVENT.replace("03-04T", "03-05T")]})
    runs = [(DAY, later)] if one_run else [(DAY, DAY), (later, later), (DAY, DAY)]  # re-running the first day too
    for start, end in runs:
        for name in ("relationship_managers", "fx_rates", "clients", "accounts", "transactions", "events"):
            clean_range(con, CLEANING_SPECS[name], start, end, KEY)
    assert con.execute("SELECT transaction_id, business_date FROM clean.transactions ORDER BY 1").fetchall() == [
        ("T1", DAY),
        ("T2", later),
    ]
    quarantined = "SELECT business_date, _row_number, reason FROM clean.{}_quarantine"
    assert con.execute(quarantined.format("transactions")).fetchall() == [
        (later, 2, "duplicate transaction_id of an earlier day: first sent on 2025-03-04")
    ]
    assert con.execute(quarantined.format("events")).fetchall() == [
        (later, 2, "duplicate event_id of an earlier day: first sent on 2025-03-04")
    ]
    assert row_conservation(con, "transactions", TRANSACTIONS.header, DAY, later).passed


def test_a_timestamp_with_an_offset_is_converted_to_bank_local_time(con, tmp_path):
    load_all_references(con)
    rows = {"clients": [CLIENT], "accounts": [ACCOUNT]}
    rows["transactions"] = [
        TX.replace("2025-03-04T10:00:00", "2025-03-04T10:00:00+14:00"),
        TX.replace("T1,", "T2,").replace("2025-03-04T10:00:00", "2025-03-04T10:00:00Z"),
        TX.replace("T1,", "T3,").replace("2025-03-04T10:00:00", "2025-03-04T23:30:00-05:00"),
    ]
    _land_day(con, tmp_path, DAY, rows)
    for name in ("relationship_managers", "fx_rates", "clients", "accounts", "transactions"):
        clean_range(con, CLEANING_SPECS[name], DAY, DAY, KEY, timezone="Europe/Paris")
    assert con.execute('SELECT transaction_id, "timestamp" FROM clean.transactions ORDER BY 1').fetchall() == [
        ("T2", dt.datetime(2025, 3, 4, 11, 0)),
    ]
    assert _reasons(con, "transactions") == {
        2: "timestamp outside the business date",
        4: "timestamp outside the business date",
    }


def test_sub_cent_amounts_and_implausible_dates_are_quarantined_not_rounded_or_kept(con, tmp_path):
    clients = [
        CLIENT.replace("50000", "50000.005"),
        CLIENT.replace("C1,", "C2,").replace("2020-01-01", "0001-01-01"),
        CLIENT.replace("C1,", "C3,").replace("1980-01-02", "1899-12-31"),
        CLIENT.replace("C1,", "C4,").replace("50000", "50000.50"),
    ]
    accounts = [ACCOUNT.replace(",,,", ",9999-12-31,,"), ACCOUNT.replace("A1,C1", "A2,C4").replace("100.50", "100.500")]
    _land_and_clean(con, tmp_path, {"clients": clients, "accounts": accounts})
    assert _reasons(con, "clients") == {
        2: "more than 2 decimals in annual_income (below a cent)",  # a personal value is not quoted
        3: "onboarding_date out of range (1900-01-01 to 100 years after the business date): '0001-01-01'",
        4: "birth_date out of range (1900-01-01 to 100 years after the business date)",
    }
    assert con.execute("SELECT client_id, annual_income FROM clean.clients").fetchall() == [("C4", 50000.50)]
    assert _reasons(con, "accounts")[2].startswith("close_date out of range (1900-01-01 to 100 years after")
    assert con.execute("SELECT account_id, balance FROM clean.accounts").fetchall() == [("A2", 100.50)]


def test_a_clean_table_written_with_the_birth_date_is_refused_with_its_remedy(con, tmp_path):
    _land_and_clean(con, tmp_path, {"clients": [CLIENT]})
    con.execute("ALTER TABLE clean.clients RENAME birth_month TO birth_date")  # as an older RiskHub wrote it
    with pytest.raises(SchemaChanged, match="DROP TABLE clean.clients"):
        clean_range(con, CLEANING_SPECS["clients"], DAY, DAY, KEY)
