"""The daily job that materialises yesterday's business day through the whole graph, and its schedule."""

import datetime as dt

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

daily_spine_job = dg.define_asset_job(
    name="daily_spine",
    selection=dg.AssetSelection.all(),
    description="Landing files of one business day (or a range, in one run) through raw, clean and the star schema.",
)

daily_schedule = dg.build_schedule_from_partitioned_job(
    daily_spine_job,
    hour_of_day=2,
    description="Every night at 02:00 UTC, materialise yesterday's business day.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)


def run_business_days(
    defs: dg.Definitions, start: dt.date, end: dt.date, instance: dg.DagsterInstance | None = None
) -> dg.ExecuteInProcessResult:
    """Materialise business days start..end through the daily job in one in-process run."""
    tags = {ASSET_PARTITION_RANGE_START_TAG: start.isoformat(), ASSET_PARTITION_RANGE_END_TAG: end.isoformat()}
    return defs.resolve_job_def(daily_spine_job.name).execute_in_process(
        instance=instance, tags=tags, raise_on_error=False
    )


def failed_checks(result: dg.ExecuteInProcessResult) -> list[dg.AssetCheckEvaluation]:
    """The data tests of a run that did not pass."""
    return [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.event_specific_data.passed
    ]
