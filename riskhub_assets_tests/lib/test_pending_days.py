"""Days held back from BI: a table of a day whose write failed, or that a killed run left being written, stops the
BI copy's refresh until it is written again; the days a refusal held back are published with the next refresh."""

import datetime as dt

import duckdb
import pytest

from riskhub_assets.lib import pending_days

MON, TUE, WED = dt.date(2025, 3, 3), dt.date(2025, 3, 4), dt.date(2025, 3, 5)


@pytest.fixture
def con():
    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA warehouse")
        yield con


def test_a_day_left_being_written_or_failed_refuses_the_refresh_until_written_again(con):
    pending_days.writing(con, "clean.transactions", MON, MON)  # killed before it committed
    pending_days.failed(con, "clean.events", TUE, TUE)

    with pytest.raises(pending_days.HalfWrittenDays) as refused:
        pending_days.ready_to_publish(con, WED, WED)
    assert f"{MON} (clean.transactions writing); {TUE} (clean.events failed)" in str(refused.value)
    assert f"riskhub materialise --start {MON} --end {TUE}" in str(refused.value)

    pending_days.written(con, "clean.transactions", MON, MON)
    pending_days.written(con, "clean.events", TUE, TUE)
    assert pending_days.ready_to_publish(con, WED, WED) == (WED, WED)


def test_days_a_refusal_held_back_are_published_with_the_next_refresh(con):
    pending_days.failed(con, "raw.events", WED, WED)
    with pytest.raises(pending_days.HalfWrittenDays):
        pending_days.ready_to_publish(con, MON, MON)
    pending_days.written(con, "raw.events", WED, WED)

    assert pending_days.ready_to_publish(con, TUE, TUE) == (MON, TUE)  # Wednesday waits for its own run
    pending_days.published(con, MON, TUE)
    assert pending_days.ready_to_publish(con, WED, WED) == (WED, WED)
