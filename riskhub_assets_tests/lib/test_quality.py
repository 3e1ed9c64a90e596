import datetime as dt

from riskhub_assets.lib import quality
from riskhub_assets.tables import Table

DAY = dt.date(2025, 3, 4)


def _declared(name: str, **tests) -> Table:
    return Table(name, "a test table", "team:test", "test", **tests)


def _tables(con):
    con.execute("CREATE TABLE dim (id VARCHAR)")
    con.execute("INSERT INTO dim VALUES ('a'), ('b')")
    con.execute("CREATE TABLE fact (fid VARCHAR, d DATE, id VARCHAR, kind VARCHAR, amount DOUBLE)")


def test_passing_table_passes_every_check(con):
    _tables(con)
    con.execute("INSERT INTO fact VALUES ('1', '2025-03-04', 'a', 'x', 5), ('2', '2025-03-04', 'b', 'y', 6)")
    checks = _declared(
        "fact",
        key=("fid",),
        accepted={"kind": ("x", "y")},
        references={"id": "dim.id"},
        ranges={"amount": ("0", "10")},
        partition_column="d",
    )
    outcomes = quality.run_table_checks(con, checks, DAY, DAY, today=DAY)
    assert [o.name for o in outcomes] == quality.table_check_names(checks)
    assert all(o.passed for o in outcomes), [o.summary for o in outcomes]


def test_failures_say_what_failed_and_how_many_rows(con):
    _tables(con)
    con.execute("""INSERT INTO fact VALUES ('1', '2025-03-04', 'a', 'x', 5), ('1', '2025-03-04', 'zz', 'q', 50),
                   (NULL, '2025-03-04', 'zz', 'x', -1), ('9', '2025-03-01', 'zz', 'q', 99)""")
    checks = _declared(
        "fact",
        key=("fid",),
        accepted={"kind": ("x",)},
        references={"id": "dim.id"},
        ranges={"amount": ("0", "10")},
        partition_column="d",
    )
    by_name = {o.name: o for o in quality.run_table_checks(con, checks, DAY, DAY, today=DAY + dt.timedelta(days=5))}
    assert by_name["keys_not_null_and_unique"].detail == {"fid is null": 1, "duplicate fid": 1}
    assert by_name["accepted_values"].failing_rows == 1
    assert (
        by_name["referential_integrity"].summary == "fact: 2 failing rows (foreign keys resolve): id not in dim.id = 2"
    )
    assert by_name["value_ranges"].failing_rows == 2


def test_unusual_but_valid_values_warn_without_blocking(con):
    _tables(con)
    con.execute("INSERT INTO fact VALUES ('1', '2025-03-04', 'a', 'x', 5), ('2', '2025-03-04', 'b', 'x', 5e9)")
    checks = _declared("fact", ranges={"amount": ("0", None)}, plausible={"amount": (None, "1000000000")})
    by_name = {o.name: o for o in quality.run_table_checks(con, checks)}
    assert by_name["value_ranges"].passed
    unusual = by_name["plausible_values"]
    assert not unusual.passed and unusual.warn_only and "amount out of [None, 1000000000] = 1" in unusual.summary
    assert "plausible_values" in quality.WARN_ONLY


def test_volume_check_flags_a_day_far_from_its_trailing_average(con):
    con.execute("CREATE TABLE t AS SELECT DATE '2025-03-01' + CAST(i % 7 AS INTEGER) AS d FROM range(700) r(i)")
    checks = _declared("t", partition_column="d")
    assert quality.row_count_vs_trailing_days(con, checks, dt.date(2025, 3, 7), dt.date(2025, 3, 7)).passed
    con.execute("DELETE FROM t WHERE d = DATE '2025-03-07' AND rowid % 10 <> 0")
    outcome = quality.row_count_vs_trailing_days(con, checks, dt.date(2025, 3, 7), dt.date(2025, 3, 7))
    assert not outcome.passed and outcome.detail == {"2025-03-07": 10}


def _days_loaded(con, first: dt.date, last: dt.date) -> Table:
    con.execute(
        "CREATE OR REPLACE TABLE t AS SELECT CAST(d AS DATE) AS d FROM range($first, $last + 1, INTERVAL 1 DAY) r(d)",
        {"first": first, "last": last},
    )
    return _declared("t", partition_column="d")


def test_a_history_of_past_days_is_fresh_against_its_own_schedule(con):
    history = _days_loaded(con, dt.date(2024, 1, 1), dt.date(2024, 8, 31))
    today = dt.date(2026, 12, 3)
    outcome = quality.freshness(con, history, dt.date(2024, 8, 31), today)
    assert outcome.passed and outcome.detail == {"lag_days": 1}
    assert quality.freshness(con, history, dt.date(2024, 1, 10), today).passed  # an old day loaded again
    assert not quality.freshness(con, history, None, today).passed  # judged against today, as before


def test_a_missing_or_late_day_still_warns(con):
    stale = _days_loaded(con, dt.date(2024, 1, 1), dt.date(2024, 8, 27))
    outcome = quality.freshness(con, stale, dt.date(2024, 8, 31), dt.date(2026, 12, 3))
    assert not outcome.passed and outcome.warn_only and outcome.detail == {"lag_days": 5}
    assert "latest business day 2024-08-27, 5 days before 2024-09-01, when it was due" in outcome.summary
    nightly = _days_loaded(con, dt.date(2026, 11, 1), dt.date(2026, 11, 28))
    assert not quality.freshness(con, nightly, dt.date(2026, 12, 2), dt.date(2026, 12, 3)).passed
    con.execute("DELETE FROM t")
    assert not quality.freshness(con, _declared("t", partition_column="d"), DAY, DAY).passed


def _transaction_days(con, tmp_path, counts: list[int], holidays: list[str]) -> Table:
    from riskhub_assets.lib.contract import TRANSACTIONS
    from riskhub_assets.lib.ingest import load_raw_days
    from riskhub_assets.lib.reference import load_reference
    from riskhub_assets.tables import table
    from riskhub_assets_tests.conftest import write_landing

    for i, count in enumerate(counts):
        day = DAY + dt.timedelta(days=i)
        rows = [f"T{i}-{n},A1,{day}T10:00:00,1.00,EUR,debit,pos,,FR" for n in range(count)]
        write_landing(tmp_path / "landing", day, TRANSACTIONS, rows)
    load_raw_days(con, TRANSACTIONS, tmp_path / "landing", DAY, DAY + dt.timedelta(days=len(counts) - 1))
    (tmp_path / "holidays.csv").write_text("code,description\n" + "".join(f"{d},Holiday\n" for d in holidays))
    load_reference(con, "holidays", ["code", "description"], tmp_path)
    return table("raw.transactions")


def test_a_header_only_or_collapsed_transactions_day_fails_unless_a_declared_holiday(con, tmp_path):
    raw = _transaction_days(con, tmp_path, [10, 10, 10, 10, 0, 1, 10], [])
    last = DAY + dt.timedelta(days=6)
    outcome = quality.day_volume_not_collapsed(con, raw, DAY, last, 0.2)
    assert not outcome.passed and outcome.detail == {"2025-03-08": 0, "2025-03-09": 1}
    assert "2025-03-08: 0 rows against a trailing 7-day average of 10" in outcome.summary
    assert "RISKHUB_MIN_VOLUME_SHARE" in outcome.summary and "holidays.csv" in outcome.summary
    assert quality.day_volume_not_collapsed(con, raw, DAY, DAY + dt.timedelta(days=3), 0.2).passed
    raw = _transaction_days(con, tmp_path, [10, 10, 10, 10, 0, 1, 10], ["2025-03-08", "2025-03-09"])
    assert quality.day_volume_not_collapsed(con, raw, DAY, last, 0.2).passed


def test_a_first_day_without_history_fails_only_when_empty(con, tmp_path):
    raw = _transaction_days(con, tmp_path, [0], [])
    assert quality.day_volume_not_collapsed(con, raw, DAY, DAY, 0.2).detail == {"2025-03-04": 0}
    raw = _transaction_days(con, tmp_path, [1], [])
    assert quality.day_volume_not_collapsed(con, raw, DAY, DAY, 0.2).passed
