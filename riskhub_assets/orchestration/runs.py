"""Running RiskHub's jobs from code (the CLI, tests, benchmarks): business days in one run, and what failed."""

import datetime as dt

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

SPINE_JOB = "daily_spine"


def run_business_days(
    defs: dg.Definitions,
    start: dt.date,
    end: dt.date,
    instance: dg.DagsterInstance | None = None,
    job: str = SPINE_JOB,
) -> dg.ExecuteInProcessResult:
    """Materialise business days start..end through a daily job in one in-process run."""
    tags = {ASSET_PARTITION_RANGE_START_TAG: start.isoformat(), ASSET_PARTITION_RANGE_END_TAG: end.isoformat()}
    return defs.resolve_job_def(job).execute_in_process(instance=instance, tags=tags, raise_on_error=False)


def run_job(defs: dg.Definitions, job: str, instance: dg.DagsterInstance | None = None) -> dg.ExecuteInProcessResult:
    """Run an unpartitioned job, such as the weekly training, in process."""
    return defs.resolve_job_def(job).execute_in_process(instance=instance, raise_on_error=False)


def failed_checks(result: dg.ExecuteInProcessResult) -> list[dg.AssetCheckEvaluation]:
    """The data tests of a run that did not pass."""
    return [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.event_specific_data.passed
    ]


def bulk_materialise(defs: dg.Definitions, start: dt.date, end: dt.date, job: str = SPINE_JOB) -> None:
    """Run a job's SQL assets over start..end by calling them directly, in dependency order, without run events.

    For loading a long history fast: Dagster records one event per partition and asset (about 20 ms each), which
    for months of days costs minutes. Nothing is recorded in the Dagster instance; a blocking check that fails
    stops the load with its message.
    """
    graph = defs.resolve_asset_graph()
    selected = set(defs.resolve_job_def(job).asset_layer.executable_asset_keys)
    days = dg.PartitionKeyRange(start.isoformat(), end.isoformat())
    done: set[dg.AssetKey] = set()
    for key in graph.toposorted_asset_keys:
        if key not in selected or key in done:
            continue
        assets_def = graph.assets_def_for_key(key)
        done |= set(assets_def.keys)
        partitioned = assets_def.partitions_def is not None
        context = dg.build_asset_context(partition_key_range=days if partitioned else None)
        for result in assets_def(context):
            failed = isinstance(result, dg.AssetCheckResult) and not result.passed
            if failed and result.severity == dg.AssetCheckSeverity.ERROR:
                raise dg.Failure(
                    f"blocking check {result.check_name} failed on {key.to_user_string()}: {result.description}"
                )
