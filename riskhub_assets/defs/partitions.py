"""The one daily partitioning every dated asset shares: a partition is a business day."""

import datetime as dt
import warnings

import dagster as dg

from riskhub_assets.lib import settings

daily_partitions = dg.DailyPartitionsDefinition(start_date=settings.partitions_start())


def business_days(context: dg.AssetExecutionContext) -> tuple[dt.date, dt.date]:
    """First and last business day of the partition range the run materialises."""
    keys = context.partition_key_range
    return dt.date.fromisoformat(keys.start), dt.date.fromisoformat(keys.end)


warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=dg.BetaWarning)
