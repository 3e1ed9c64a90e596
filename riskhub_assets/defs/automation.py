"""The daily job that materialises yesterday's business day through the whole graph, and its schedule."""

import dagster as dg

from riskhub_assets.defs.partitions import daily_partitions

daily_spine_job = dg.define_asset_job(
    name="daily_spine",
    selection=dg.AssetSelection.all(),
    partitions_def=daily_partitions,
    description="Landing files of one business day (or a range, in one run) through raw, clean and the star schema.",
)

daily_schedule = dg.build_schedule_from_partitioned_job(
    daily_spine_job,
    hour_of_day=2,
    description="Every night at 02:00 UTC, materialise yesterday's business day.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
