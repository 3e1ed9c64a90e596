"""Running RiskHub's jobs from code (the CLI, tests, benchmarks): business days in one run, and what failed."""

import datetime as dt

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from riskhub_assets.orchestration.policy import require_partitions
from riskhub_assets.orchestration.recovery import in_process_tags

SPINE_JOB = "daily_spine"


def console_log(level: str) -> dict:
    """Run config printing a run's event log on the terminal from `level` up (DEBUG: every event; ERROR: failures and
    their causes only). The instance records every event whatever the level."""
    return {"loggers": {"console": {"config": {"log_level": level}}}}


def run_business_days(
    defs: dg.Definitions,
    start: dt.date,
    end: dt.date,
    instance: dg.DagsterInstance | None = None,
    job: str = SPINE_JOB,
    run_id: str | None = None,
    log_level: str = "DEBUG",
) -> dg.ExecuteInProcessResult:
    """Materialise business days start..end through a daily job in one in-process run (refused, before it starts,
    when the daily partitions do not cover them), with the run id given, if any."""
    require_partitions(start, end)
    days = {ASSET_PARTITION_RANGE_START_TAG: start.isoformat(), ASSET_PARTITION_RANGE_END_TAG: end.isoformat()}
    tags = {**days, **in_process_tags()}
    return defs.resolve_job_def(job).execute_in_process(
        run_config=console_log(log_level), instance=instance, tags=tags, raise_on_error=False, run_id=run_id
    )


def run_job(
    defs: dg.Definitions, job: str, instance: dg.DagsterInstance | None = None, log_level: str = "DEBUG"
) -> dg.ExecuteInProcessResult:
    """Run an unpartitioned job, such as the weekly training, in process."""
    return defs.resolve_job_def(job).execute_in_process(
        run_config=console_log(log_level), instance=instance, tags=in_process_tags(), raise_on_error=False
    )


def failed_checks(result: dg.ExecuteInProcessResult) -> list[dg.AssetCheckEvaluation]:
    """The data tests of a run that did not pass."""
    return [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.event_specific_data.passed
    ]


def step_failures(result: dg.ExecuteInProcessResult) -> list[str]:
    """Why steps of a run failed, as the errors' own messages (no stack trace); blocking checks that failed are left
    to their check results, which say more."""
    messages = []
    for event in result.all_events:
        if event.event_type_value != "STEP_FAILURE":
            continue
        error = event.event_specific_data.error
        while error.cause is not None:
            error = error.cause
        text = error.message.strip()
        kind, _, message = text.partition(": ")  # "package.module.Error: what went wrong"
        if error.cls_name != "DagsterAssetCheckFailedError":
            messages.append(f"step {event.step_key} FAILED: {message if kind.endswith(error.cls_name) else text}")
    return messages
