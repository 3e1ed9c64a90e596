"""A business day reaches BI whole or not at all. A table of a day being written, or whose last write of it failed
(a blocking check, an error, a killed run), holds the day back: the BI copy is not refreshed until that table of the
day is written again and passes, and days a refusal held back are published with the next refresh."""

import datetime as dt

import duckdb

from riskhub_assets.lib.sqltext import days, literal

PENDING_DAYS = "warehouse.pending_days"
DESCRIPTION = (
    "Business days held back from the BI copy: a table of the day being written or whose last write of it failed, or"
    " a whole day waiting for the next publication."
)
COLUMNS = {
    "business_date": ("DATE NOT NULL", "The business day held back."),
    "table_name": ("VARCHAR NOT NULL", "The table of the day that holds it back, or * for a day awaiting publication."),
    "state": ("VARCHAR NOT NULL", "writing (a killed run left it so), failed (rolled back) or unpublished."),
    "marked_at": ("TIMESTAMP NOT NULL", "When the day was held back (UTC)."),
}
WRITING, FAILED, UNPUBLISHED = "writing", "failed", "unpublished"
WHOLE_DAY = "*"  # the table name of a day that got through every table of its run


class HalfWrittenDays(Exception):
    """The BI copy was not refreshed: some business day is only partly written in the warehouse."""


def writing(con: duckdb.DuckDBPyConnection, table: str, start: dt.date, end: dt.date) -> None:
    """Hold days start..end back from BI while `table` is written (a killed run leaves them held back)."""
    _mark(con, table, start, end, WRITING)


def failed(con: duckdb.DuckDBPyConnection, table: str, start: dt.date, end: dt.date) -> None:
    """Keep days start..end held back: the write of `table` was rolled back (its previous rows stay)."""
    _mark(con, table, start, end, FAILED)


def written(con: duckdb.DuckDBPyConnection, table: str, start: dt.date, end: dt.date) -> None:
    """`table` of days start..end passed its checks (call inside the transaction that publishes it)."""
    con.execute(
        f"DELETE FROM {PENDING_DAYS} WHERE table_name = $table AND business_date BETWEEN $start AND $end",
        {"table": table, "start": start, "end": end},
    )


def ready_to_publish(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """Days start..end got through every table of this run: the first and last day the BI copy must refresh (days an
    earlier refusal held back included), or HalfWrittenDays naming the days still half written and the fix."""
    _mark(con, WHOLE_DAY, start, end, UNPUBLISHED)
    half = con.execute(
        f"SELECT business_date, string_agg(table_name || ' ' || state, ', ' ORDER BY table_name) FROM {PENDING_DAYS}"
        f" WHERE state <> '{UNPUBLISHED}' GROUP BY ALL ORDER BY 1"
    ).fetchall()
    if half:
        listed = "; ".join(f"{day} ({tables})" for day, tables in half)
        raise HalfWrittenDays(
            f"BI copy not refreshed: business day(s) only partly written in the warehouse: {listed}. Publishing now"
            " would show half a day; the previous copy stays in place and this run's days are published with the"
            " next refresh. Correct what the failed checks in the Dagster UI name, then run the days again whole:"
            f" riskhub materialise --start {half[0][0]} --end {half[-1][0]}"
        )
    first, last = con.execute(f"SELECT min(business_date), max(business_date) FROM {PENDING_DAYS}").fetchone()
    return first, last


def published(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> None:
    """Days start..end are in the BI copy: nothing of them is held back any more."""
    written(con, WHOLE_DAY, start, end)


def _mark(con: duckdb.DuckDBPyConnection, table: str, start: dt.date, end: dt.date, state: str) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {PENDING_DAYS.split('.')[0]}")
    columns = ", ".join(f"{name} {kind}" for name, (kind, _) in COLUMNS.items())
    con.execute(f"CREATE TABLE IF NOT EXISTS {PENDING_DAYS} ({columns}, PRIMARY KEY (business_date, table_name))")
    con.execute(f"COMMENT ON TABLE {PENDING_DAYS} IS {literal(DESCRIPTION)}")
    for name, (_, meaning) in COLUMNS.items():
        con.execute(f"COMMENT ON COLUMN {PENDING_DAYS}.{name} IS {literal(meaning)}")
    con.execute(
        f"INSERT OR REPLACE INTO {PENDING_DAYS} SELECT unnest($days), $table, $state, now()::TIMESTAMP",
        {"days": days(start, end), "table": table, "state": state},
    )
