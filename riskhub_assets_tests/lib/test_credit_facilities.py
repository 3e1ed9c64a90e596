"""credit_facilities.csv: typed and checked like every landing file, and optional: a day without it still loads."""

import datetime as dt

import pytest

from riskhub_assets.lib.contract import CREDIT_FACILITIES
from riskhub_assets.lib.ingest import landing_file, load_raw_day, not_sent, raw_table_ddl
from riskhub_assets_tests.conftest import write_landing
from riskhub_assets_tests.lib.test_cleaning import ACCOUNT, CLIENT, DAY, FACILITY, _land_and_clean, _reasons


def _clean(con, tmp_path, facility: str):
    rows = {"clients": [CLIENT], "accounts": [ACCOUNT], "credit_facilities": [facility]}
    return _land_and_clean(con, tmp_path, rows)["credit_facilities"]


def test_a_valid_facility_is_typed_and_standardised(con, tmp_path):
    result = _clean(con, tmp_path, FACILITY.replace("performing", "Performing").replace("EUR", "eur"))
    assert (result.clean_rows, result.quarantined) == (1, 0)
    row = con.execute(
        "SELECT status, currency, days_past_due, default_flag, unlikely_to_pay, maturity_date, interest_rate"
        " FROM clean.credit_facilities"
    ).fetchone()
    assert row == ("performing", "EUR", 0, False, None, dt.date(2029, 1, 15), 4.25)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ((",2029-01-15,", ",2023-12-31,"), "maturity_date before start_date"),
        ((",0,0,,", ",-3,0,,"), "negative days_past_due"),
        ((",0,0,,", ",12.5,0,,"), "invalid integer in days_past_due: '12.5'"),
        ((",10000,", ",-1,"), "negative principal"),
        ((",2024-01-15,", ",2025-03-05,"), "start_date after the business date"),
        ((",performing,", ",closed,"), "status not an accepted value: 'closed'"),
        ((",performing,0,", ",repaid,5,"), "repaid facility with days_past_due"),
        ((",0,0,,", ",0,0,,2025-03-05"), "status_since after the business date"),
        ((",C1,", ",C9,"), "unknown client_id: 'C9'"),
        ((",A1,", ",A9,"), "unknown account_id: 'A9'"),
        (
            (",personal_loan,", ",current_account,"),
            "product_code not a credit product (family credit in reference/products.csv)",
        ),
    ],
)
def test_a_broken_facility_is_quarantined_with_its_reason(con, tmp_path, change, reason):
    result = _clean(con, tmp_path, FACILITY.replace(*change))
    assert (result.clean_rows, result.quarantined) == (0, 1)
    assert _reasons(con, "credit_facilities") == {2: reason}


def _load_facilities(con, tmp_path):
    for ddl in raw_table_ddl(CREDIT_FACILITIES):
        con.execute(ddl)
    return load_raw_day(con, CREDIT_FACILITIES, landing_file(tmp_path, DAY, CREDIT_FACILITIES), DAY)


def test_a_day_without_the_optional_file_loads_no_rows_and_says_so(con, tmp_path):
    path = write_landing(tmp_path, DAY, CREDIT_FACILITIES, [FACILITY])
    assert _load_facilities(con, tmp_path).rows == 1
    path.unlink()  # the day re-run without the file: its earlier rows go, nothing is raised
    load = _load_facilities(con, tmp_path)
    assert (load.rows, load.absent) == (0, True)
    assert con.execute("SELECT count(*) FROM raw.credit_facilities").fetchone() == (0,)
    assert not_sent([load]) == {
        "file_not_sent": "optional file credit_facilities.csv not sent on 1 of 1 days (2025-03-04..2025-03-04):"
        " no rows loaded for those days"
    }
    write_landing(tmp_path, DAY, CREDIT_FACILITIES, [FACILITY])
    assert not_sent([_load_facilities(con, tmp_path)]) == {}
