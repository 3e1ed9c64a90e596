import datetime as dt
import shutil

import pytest

from riskhub_assets.lib.cleaning import clean_range
from riskhub_assets.lib.cleaning_specs import CLEANING_SPECS
from riskhub_assets.lib.contract import FX_RATES, TRANSACTIONS
from riskhub_assets.lib.ingest import landing_file, load_raw_day, raw_table_ddl
from riskhub_assets.lib.quality import accepted_values, values_match_patterns
from riskhub_assets.lib.reference import DEFAULT_DIR, ReferenceError, load_all_references
from riskhub_assets.tables import table
from riskhub_assets_tests.conftest import open_accounts, write_landing

DAY = dt.date(2025, 3, 4)


@pytest.fixture
def bank_reference(tmp_path):
    """A bank's own reference folder: a copy of the defaults it can edit."""
    folder = tmp_path / "reference"
    shutil.copytree(DEFAULT_DIR, folder)
    return folder


def _clean_transactions(con, tmp_path, rows):
    open_accounts(con, DAY, "A1")
    for spec, landed in ((FX_RATES, ["CZK,0.04"]), (TRANSACTIONS, rows)):
        write_landing(tmp_path, DAY, spec, landed)
        for ddl in raw_table_ddl(spec):
            con.execute(ddl)
        load_raw_day(con, spec, landing_file(tmp_path, DAY, spec), DAY)
        clean_range(con, CLEANING_SPECS[spec.name], DAY, DAY, b"")
    return con.execute("SELECT channel, currency FROM clean.transactions ORDER BY _row_number").fetchall()


def test_a_channel_and_a_currency_added_to_the_banks_files_load_without_code(con, tmp_path, bank_reference):
    with (bank_reference / "channels.csv").open("a") as f:
        f.write("Kiosk,Self-service kiosk in a branch\n")
    load_all_references(con, bank_reference)
    rows = ["T1,A1,2025-03-04T10:00:00,12.50,czk,debit,KIOSK,,CZ", "T2,A1,2025-03-04T11:00:00,3,EUR,debit,fax,,CZ"]
    assert _clean_transactions(con, tmp_path, rows) == [("Kiosk", "CZK")]
    reason = con.execute("SELECT reason FROM clean.transactions_quarantine").fetchone()[0]
    assert reason == "channel not in reference.channels: 'fax'"


def test_a_code_the_default_lists_lack_is_quarantined_with_the_list_named(con, tmp_path):
    load_all_references(con)
    assert _clean_transactions(con, tmp_path, ["T1,A1,2025-03-04T10:00:00,12.50,EUR,debit,kiosk,,FR"]) == []
    reason = con.execute("SELECT reason FROM clean.transactions_quarantine").fetchone()[0]
    assert reason == "channel not in reference.channels: 'kiosk'"


def test_a_missing_reference_file_names_the_setting_that_fixes_it(con, bank_reference):
    (bank_reference / "regions.csv").unlink()
    with pytest.raises(ReferenceError, match="regions.csv.*RISKHUB_REFERENCE_DIR"):
        load_all_references(con, bank_reference)


def test_codes_listed_twice_ignoring_case_are_refused(con, bank_reference):
    with (bank_reference / "segments.csv").open("a") as f:
        f.write("MASS,Mass market again\n")
    with pytest.raises(ReferenceError, match="segments.csv.*mass"):
        load_all_references(con, bank_reference)


def test_a_malformed_currency_code_fails_its_check(con, bank_reference):
    with (bank_reference / "currencies.csv").open("a") as f:
        f.write("EURO,Not an ISO code,0\n")
    load_all_references(con, bank_reference)
    outcome = values_match_patterns(con, table("reference.currencies"))
    assert not outcome.passed and outcome.failing_rows == 1


def test_accepted_values_read_the_reference_list(con):
    load_all_references(con)
    con.execute("CREATE SCHEMA warehouse")
    con.execute("CREATE TABLE warehouse.dim_agency AS SELECT * FROM (VALUES ('north'), ('atlantis')) t(region)")
    declared = table("warehouse.dim_agency")
    outcome = accepted_values(con, declared)
    assert not outcome.passed and outcome.detail == {"region not accepted": 1}
    assert "reference.regions" in declared.sources


def test_a_reference_line_that_does_not_parse_names_the_file(con, bank_reference):
    with (bank_reference / "regions.csv").open("a") as f:
        f.write("islands\n")
    with pytest.raises(ReferenceError, match="regions.csv does not parse as code,description"):
        load_all_references(con, bank_reference)
