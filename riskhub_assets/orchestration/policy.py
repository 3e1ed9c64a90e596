"""Global policy every asset shares: a partition is a business day, a range of days is one run, one DuckDB writer."""

import datetime as dt
import warnings

import dagster as dg

from riskhub_assets.lib import settings

daily_partitions = dg.DailyPartitionsDefinition(start_date=settings.partitions_start())
SINGLE_RUN = dg.BackfillPolicy.single_run()
"""A range of business days is one run (also from `dg launch` and the UI's backfills): SQL handles the range."""
DUCKDB_POOL = "duckdb_writer"
"""Concurrency pool of every asset that writes the DuckDB file: DuckDB allows one writing process."""


def writer(partitioned: bool) -> dict:
    """What every asset that writes the DuckDB file shares: the writer pool, single-run ranges, daily partitions."""
    return {
        "pool": DUCKDB_POOL,
        "backfill_policy": SINGLE_RUN,
        "partitions_def": daily_partitions if partitioned else None,
    }


class OutsidePartitions(settings.SettingError):
    """Business days asked for that the daily partitions do not cover; the message says which setting fixes it."""


def require_partitions(start: dt.date, end: dt.date) -> None:
    """Refuse, before anything runs, business days the daily partitions do not cover, naming the fix."""
    first = daily_partitions.start.date()
    last = dt.date.fromisoformat(daily_partitions.get_last_partition_key())
    if start > end:
        raise OutsidePartitions(f"the first business day {start} is after the last {end}: swap --start and --end")
    if start < first:
        raise OutsidePartitions(
            f"business day {start} is before the first daily partition, {first}: set"
            f" {settings.PARTITIONS_START_VAR}={start} (unset, the partitions start at the landing zone's first"
            " YYYY-MM-DD folder) and run again"
        )
    if end > last:
        raise OutsidePartitions(
            f"business day {end} is not over yet: the last complete business day (UTC) is {last}; load {end}"
            " once it is over"
        )


def business_days(context: dg.AssetExecutionContext) -> tuple[dt.date, dt.date]:
    """First and last business day of the partition range the run materialises."""
    keys = context.partition_key_range
    return dt.date.fromisoformat(keys.start), dt.date.fromisoformat(keys.end)


warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=dg.BetaWarning)
