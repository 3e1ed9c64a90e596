"""A long history loaded at bulk speed and still in Dagster's record: the daily spine over the whole range in one
in-process run (SQL handles the range), then every day each asset published recorded in the Dagster instance as that
day's materialization, with the day's row counts and its check results, written in batches."""

import datetime as dt
from collections import defaultdict
from pathlib import Path

import dagster as dg
import duckdb
from dagster._core.definitions.asset_checks.asset_check_evaluation import (
    AssetCheckEvaluationTargetMaterializationData,
)
from dagster._core.utils import make_new_run_id

from riskhub_assets.lib.progress import ProgressBar
from riskhub_assets.orchestration.event_batches import write_asset_events
from riskhub_assets.orchestration.runs import SPINE_JOB, run_business_days
from riskhub_assets.tables import registry

DAYS_PER_BATCH = 10
"""Days recorded per transaction: a few thousand events, and a progress step the user sees move."""
KEPT_METADATA = ("dagster/column_schema", "dagster/table_name")
"""What a day's record keeps of the run's metadata: the rest (row counts, preview) describes the whole range."""


def load_in_bulk(
    defs: dg.Definitions,
    start: dt.date,
    end: dt.date,
    instance: dg.DagsterInstance,
    landed: list[dt.date],
    warehouse: Path,
    job: str = SPINE_JOB,
    log_level: str = "DEBUG",
) -> tuple[dg.ExecuteInProcessResult, int]:
    """Materialise business days start..end in one in-process run outside the instance, then record in `instance`
    each landed day of each asset the run published (its rows counted in the `warehouse` DuckDB file); return the
    run's result and the asset days recorded (the run's event log printed from `log_level` up)."""
    progress = ProgressBar()
    with dg.DagsterInstance.ephemeral() as scratch:
        run_id = make_new_run_id()
        steps = len(defs.resolve_job_def(job).graph.nodes)
        scratch.add_event_listener(run_id, _step_counter(progress, f"loading {start}..{end}", steps))
        result = run_business_days(defs, start, end, scratch, job, run_id=run_id, log_level=log_level)
    days = [d.isoformat() for d in landed if start <= d <= end]
    with duckdb.connect(str(warehouse)) as con:
        recorded = record_days(instance, result, days, con, progress)
    progress.close()
    return result, recorded


def _step_counter(progress: ProgressBar, stage: str, steps: int):
    """An event listener that moves the progress bar as each step of the run finishes."""
    done = []

    def on_event(entry) -> None:
        event = entry.dagster_event
        if event is not None and event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED"):
            done.append(event.step_key)
            progress.update(stage, len(done), steps, event.step_key.replace("__", "/"))

    return on_event


def published_days(result: dg.ExecuteInProcessResult, days: list[str]) -> dict[dg.AssetKey, list[str]]:
    """The days of `days` each asset published in the run (an asset rolled back or never run has none)."""
    published = defaultdict(set)
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            published[materialization.asset_key].add(materialization.partition)
    return {
        key: [d for d in days if d in partitions] for key, partitions in published.items() if None not in partitions
    }


def record_days(
    instance: dg.DagsterInstance,
    result: dg.ExecuteInProcessResult,
    days: list[str],
    con: duckdb.DuckDBPyConnection,
    progress: ProgressBar | None = None,
) -> int:
    """Write each published day of each asset as a materialization with the day's rows, and each check the run
    evaluated as that day's result; return how many days of assets were recorded."""
    published = {key: d for key, d in published_days(result, days).items() if d}
    metadata = {key: _day_metadata(con, key, _run_metadata(result, key), d) for key, d in published.items()}
    checks = _check_evaluations(result)
    span = f"{days[0]}..{days[-1]}" if days else ""
    recorded = checked = 0
    for first in range(0, len(days), DAYS_PER_BATCH):
        batch = days[first : first + DAYS_PER_BATCH]
        materializations = [
            dg.AssetMaterialization(key, partition=day, metadata=metadata[key][day], description=_loaded_by(span))
            for day in batch
            for key, loaded in published.items()
            if day in loaded
        ]
        written = write_asset_events(instance, materializations)
        evaluations = [e for entry, sid in written for e in _day_checks(checks, entry, sid, span)]
        write_asset_events(instance, evaluations)
        recorded, checked = recorded + len(written), checked + len(evaluations)
        if progress is not None:
            done = f"{batch[-1]}: {recorded:,} asset days, {checked:,} check results"
            progress.update("recording in Dagster", first + len(batch), len(days), done)
    return recorded


def _loaded_by(span: str) -> str:
    return f"Loaded with business days {span} in one bulk in-process run (riskhub load-history)"


def _run_metadata(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> dict:
    """What the run's materialization of the asset said that holds for each day (its schema, its table)."""
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION" and event.asset_key == key:
            metadata = event.event_specific_data.materialization.metadata
            return {name: metadata[name] for name in KEPT_METADATA if name in metadata}
    return {}


def _day_metadata(con: duckdb.DuckDBPyConnection, key: dg.AssetKey, kept: dict, days: list[str]) -> dict[str, dict]:
    """Each day's metadata: the day's rows (dagster/partition_row_count) and the table's rows up to that day
    (dagster/row_count: what the table held once that day was loaded), from the warehouse."""
    declared = registry().get(".".join(key.path))
    if declared is None or declared.partition_column is None:
        return {day: kept for day in days}
    column = f'"{declared.partition_column}"'
    per_day = dict(
        con.execute(f"SELECT {column}::VARCHAR, count(*) FROM {declared.name} GROUP BY 1 ORDER BY 1").fetchall()
    )
    running, table_rows = 0, {}
    for day in sorted({*per_day, *days}):
        running += per_day.get(day, 0)
        table_rows[day] = running
    return {
        day: {
            **kept,
            "dagster/partition_row_count": dg.MetadataValue.int(per_day.get(day, 0)),
            "dagster/row_count": dg.MetadataValue.int(table_rows[day]),
        }
        for day in days
    }


def _check_evaluations(result: dg.ExecuteInProcessResult) -> dict[dg.AssetKey, list[dg.AssetCheckEvaluation]]:
    """The run's check evaluations, by the asset they check."""
    checks = defaultdict(list)
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            checks[event.event_specific_data.asset_key].append(event.event_specific_data)
    return checks


def _day_checks(checks: dict, entry, storage_id: int, span: str) -> list[dg.AssetCheckEvaluation]:
    """Each check of the asset as that day's result, aimed at that day's materialization: a check that passed over
    the range passed on each of its days; one that failed fails on the days it names (its detail lists failing days),
    else on every day, as the range it was judged over."""
    materialization = entry.get_dagster_event().step_materialization_data.materialization
    day = materialization.partition
    target = AssetCheckEvaluationTargetMaterializationData(
        run_id=entry.run_id, storage_id=storage_id, timestamp=entry.timestamp
    )
    return [
        dg.AssetCheckEvaluation(
            asset_key=check.asset_key,
            check_name=check.check_name,
            passed=_passed_on(check, day),
            metadata={**check.metadata, "checked_over": f"business days {span} (one bulk load)"},
            target_materialization_data=target,
            severity=check.severity,
            description=check.description,
            blocking=check.blocking,
        )
        for check in checks.get(materialization.asset_key, [])
    ]


def _passed_on(check: dg.AssetCheckEvaluation, day: str) -> bool:
    """Whether a check judged over a range of days passed on one of them."""
    if check.passed:
        return True
    failing_days = [name for name in check.metadata if _is_day(name)]
    return bool(failing_days) and day not in failing_days


def _is_day(text: str) -> bool:
    try:
        return len(text) == 10 and dt.date.fromisoformat(text) is not None
    except ValueError:
        return False
