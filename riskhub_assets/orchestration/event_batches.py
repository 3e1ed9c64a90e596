"""Many asset events written to the Dagster instance at once: a long history's days in a few transactions.

Dagster's own path (`DagsterInstance.report_runless_asset_event`) opens the database for every event, about 0.1 s an
event on SQLite: months of days times dozens of assets would take many minutes. These writes go through the same SQL
tables and statements as Dagster's `store_event`, a batch per transaction, so Dagster reads them back as its own
(materialized partitions, latest materialization, check executions).
"""

import logging
from collections.abc import Sequence

import dagster as dg
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.events.log import EventLogEntry
from dagster._core.instance.utils import RUNLESS_JOB_NAME, RUNLESS_RUN_ID
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._core.storage.event_log.schema import AssetCheckExecutionsTable, SqlEventLogStorageTable
from dagster._core.storage.event_log.sql_event_log import SqlEventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._time import get_current_timestamp

AssetEvent = dg.AssetMaterialization | dg.AssetCheckEvaluation


def _entry(event: AssetEvent) -> EventLogEntry:
    """The event as Dagster logs a runless asset event (one reported from outside a run)."""
    if isinstance(event, dg.AssetMaterialization):
        kind, data = DagsterEventType.ASSET_MATERIALIZATION, StepMaterializationData(event)
    else:
        kind, data = DagsterEventType.ASSET_CHECK_EVALUATION, event
    return EventLogEntry(
        user_message="",
        level=logging.INFO,
        job_name=RUNLESS_JOB_NAME,
        run_id=RUNLESS_RUN_ID,
        error_info=None,
        timestamp=get_current_timestamp(),
        step_key=None,
        dagster_event=DagsterEvent(event_type_value=kind.value, event_specific_data=data, job_name=RUNLESS_JOB_NAME),
    )


def write_asset_events(instance: dg.DagsterInstance, events: Sequence[AssetEvent]) -> list[tuple[EventLogEntry, int]]:
    """Record asset materializations and check evaluations in the instance in one transaction; return their log
    entries with the storage ids Dagster gave them (what a check evaluation names as its target materialization)."""
    storage = instance.event_log_storage
    if not isinstance(storage, SqlEventLogStorage):
        raise TypeError(f"{type(storage).__name__}: RiskHub records a history in Dagster's SQL event log storage only")
    entries = [_entry(event) for event in events]
    rows = [storage._event_to_row(entry) for entry in entries]  # noqa: SLF001  (serialised once, stored twice)
    if isinstance(storage, SqliteEventLogStorage):  # SQLite keeps each run's events in a file of its own
        with storage.run_connection(RUNLESS_RUN_ID) as conn:
            conn.execute(SqlEventLogStorageTable.insert(), rows)
    with storage.index_transaction() as conn:
        inserted = SqlEventLogStorageTable.insert().returning(
            SqlEventLogStorageTable.c.id, sort_by_parameter_order=True
        )
        ids = [row[0] for row in conn.execute(inserted, rows)]
        _index_materializations(storage, conn, entries, ids)
        checks = [_check_execution(storage, e, r, i) for e, r, i in zip(entries, rows, ids) if _is_check(e)]
        if checks:
            conn.execute(AssetCheckExecutionsTable.insert().values(checks))
    return list(zip(entries, ids))


def _is_check(entry: EventLogEntry) -> bool:
    return entry.get_dagster_event().event_type == DagsterEventType.ASSET_CHECK_EVALUATION


def _index_materializations(storage: SqlEventLogStorage, conn, entries: list[EventLogEntry], ids: list[int]) -> None:
    """Index materializations as Dagster's store_event does: their tags, and each asset's latest materialization."""
    materialized = [(e, i) for e, i in zip(entries, ids) if not _is_check(e)]
    if not materialized:
        return
    storage._store_asset_event_tags(conn, [e for e, _ in materialized], [i for _, i in materialized])  # noqa: SLF001
    latest = {e.get_dagster_event().asset_key: (e, i) for e, i in materialized}
    for entry, storage_id in latest.values():
        storage._store_asset_event(conn, entry, storage_id)  # noqa: SLF001


def _check_execution(storage: SqlEventLogStorage, entry: EventLogEntry, row: dict, storage_id: int) -> dict:
    """A check evaluation's row of Dagster's check executions, as its runless evaluations are stored."""
    evaluation: dg.AssetCheckEvaluation = entry.get_dagster_event().event_specific_data
    status = AssetCheckExecutionRecordStatus.SUCCEEDED if evaluation.passed else AssetCheckExecutionRecordStatus.FAILED
    target = evaluation.target_materialization_data
    return {
        "asset_key": evaluation.asset_key.to_string(),
        "check_name": evaluation.check_name,
        "run_id": entry.run_id,
        "execution_status": status.value,
        "evaluation_event": row["event"],
        "evaluation_event_timestamp": row["timestamp"],
        "evaluation_event_storage_id": storage_id,
        "materialization_event_storage_id": target.storage_id if target else None,
        "partition": evaluation.partition,
    }
