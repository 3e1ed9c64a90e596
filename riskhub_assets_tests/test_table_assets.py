"""Stage, check, then publish: a table's blocking data tests judge its staged rows before they are committed."""

import datetime as dt

import pytest

from riskhub_assets.orchestration.table_assets import ChecksFailed, refuse_unpublished, write_and_check
from riskhub_assets.tables.spec import Table

DAY = dt.date(2025, 3, 4)
INCOMES = Table(
    "warehouse.incomes",
    "One row per client: the declared income.",
    "team:data-engineering",
    "warehouse",
    key=("client_id",),
    ranges={"annual_income": ("0", None)},
    plausible={"annual_income": (None, "1000000000")},
    partition_column="business_date",
    volume=False,
    freshness=False,
)


@pytest.fixture
def incomes(con):
    con.execute("CREATE SCHEMA warehouse")
    con.execute("CREATE TABLE warehouse.incomes (client_id VARCHAR, annual_income DOUBLE, business_date DATE)")
    con.execute("INSERT INTO warehouse.incomes VALUES ('C1', 30000, DATE '2025-03-03')")
    return con


def _write(con, *rows):
    return lambda: con.executemany("INSERT INTO warehouse.incomes VALUES (?, ?, ?)", [(*r, DAY) for r in rows])


def _rows(con):
    return con.execute("SELECT * FROM warehouse.incomes ORDER BY ALL").fetchall()


def test_a_blocking_failure_rolls_the_staged_rows_back_and_names_the_check(incomes):
    before = _rows(incomes)
    _, metadata, outcomes = write_and_check(incomes, INCOMES, DAY, DAY, _write(incomes, ("C2", -5.0), ("C1", 1.0)))
    assert metadata is None
    assert _rows(incomes) == before
    assert {o.name: o.passed for o in outcomes} == {
        "keys_not_null_and_unique": True,  # the staged day alone: C1 of another day is no duplicate
        "value_ranges": False,
        "plausible_values": True,
    }
    with pytest.raises(ChecksFailed) as refused:
        refuse_unpublished(INCOMES, outcomes, DAY, DAY)
    assert str(refused.value) == (
        "warehouse.incomes not published for business days 2025-03-04..2025-03-04: blocking check value_ranges"
        " failed: warehouse.incomes: 1 failing rows (values in range): annual_income out of [0, None] = 1. Its rows"
        " were rolled back and the table is as before the run: correct the days' landing files and run them again"
        " (riskhub materialise --start 2025-03-04 --end 2025-03-04)"
    )


def test_a_warning_alone_publishes(incomes):
    _, metadata, outcomes = write_and_check(incomes, INCOMES, DAY, DAY, _write(incomes, ("C2", 5e12)))
    assert metadata["rows_in_run"].value == metadata["dagster/partition_row_count"].value == 1
    assert [o.name for o in outcomes if not o.passed] == ["plausible_values"]
    refuse_unpublished(INCOMES, outcomes, DAY, DAY)  # warnings never refuse
    assert ("C2", 5e12, DAY) in _rows(incomes)


def test_an_error_while_staging_rolls_back(incomes):
    before = _rows(incomes)

    def write_then_fail():
        _write(incomes, ("C2", 10.0))()
        raise RuntimeError("the load broke half way")

    with pytest.raises(RuntimeError):
        write_and_check(incomes, INCOMES, DAY, DAY, write_then_fail)
    assert _rows(incomes) == before
