"""The landing zone is watched: each landing file is observed with its size and checksum as data version per day, and
a sensor starts a business day's daily run once its files are complete, once per distinct content."""

import datetime as dt
from pathlib import Path

import dagster as dg
import pytest
from dagster._utils.test.data_versions import get_stale_status_resolver  # what the UI asks: is a day stale

from riskhub_assets.defs.landing import DATA_VERSION_TAG, landing_files, landing_sensor
from riskhub_assets.lib.contract import LANDING_FILES
from riskhub_assets.lib.landing_versions import NOT_SENT
from riskhub_assets.orchestration.policy import daily_partitions
from riskhub_assets_tests.conftest import write_landing

DAY = dt.date.fromisoformat(daily_partitions.get_last_partition_key())
"""Yesterday (UTC): the last business day over, as a day's files arrive."""
REQUIRED = [spec for spec in LANDING_FILES if not spec.optional]
TRANSACTIONS = next(spec for spec in LANDING_FILES if spec.name == "transactions")


@pytest.fixture
def landing(resources) -> Path:
    """The test's landing zone, empty."""
    return Path(resources["paths"].landing_dir)


@pytest.fixture
def instance() -> dg.DagsterInstance:
    """An in-memory Dagster instance: what the sensor asks which days are already loaded."""
    return dg.DagsterInstance.ephemeral()


def _deliver(landing: Path, day: dt.date, rows: list[str] | None = None) -> None:
    """A day whose every required landing file is there with the contract's header (transactions with `rows`)."""
    for spec in REQUIRED:
        write_landing(landing, day, spec, rows if spec is TRANSACTIONS and rows else [])


def _tick(resources: dict, instance: dg.DagsterInstance, cursor: str | None = None) -> dg.SensorResult:
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"paths": resources["paths"]})
    return landing_sensor(context)


def test_an_incomplete_day_is_skipped_naming_the_missing_file(landing, resources, instance):
    _deliver(landing, DAY)
    (landing / DAY.isoformat() / TRANSACTIONS.filename).unlink()
    result = _tick(resources, instance)
    assert result.run_requests == []
    assert f"{DAY} waits for its landing files" in result.skip_reason.skip_message
    assert f"landing file missing: {landing / DAY.isoformat() / TRANSACTIONS.filename}" in (
        result.skip_reason.skip_message
    )


def test_a_complete_day_starts_once_per_distinct_content(landing, resources, instance):
    _deliver(landing, DAY)
    first = _tick(resources, instance)
    assert [(r.partition_key, r.job_name) for r in first.run_requests] == [(DAY.isoformat(), None)]
    again = _tick(resources, instance, first.cursor)
    assert again.run_requests == [] and "started or loaded" in again.skip_reason.skip_message
    _deliver(landing, DAY, ["a line delivered again"])  # the bank sends the day again, with other content
    redelivered = _tick(resources, instance, again.cursor)
    assert [r.partition_key for r in redelivered.run_requests] == [DAY.isoformat()]
    assert redelivered.run_requests[0].run_key != first.run_requests[0].run_key


def test_a_day_already_loaded_before_the_sensor_saw_it_does_not_start_again(landing, resources, instance):
    _deliver(landing, DAY)
    for spec in REQUIRED:
        instance.report_runless_asset_event(dg.AssetMaterialization(["raw", spec.name], partition=DAY.isoformat()))
    result = _tick(resources, instance)
    assert result.run_requests == [] and "1 complete landed day(s) are started or loaded" in (
        result.skip_reason.skip_message
    )


def test_an_old_day_never_loaded_is_left_to_the_history_load_not_started(landing, resources, instance):
    old = DAY - dt.timedelta(days=30)
    _deliver(landing, old)
    result = _tick(resources, instance)
    assert result.run_requests == []
    assert f"`riskhub load-history --start {old} --end {old}`" in result.skip_reason.skip_message


def test_the_sensor_observes_each_file_once_per_version(landing, resources, instance):
    _deliver(landing, DAY)
    first = _tick(resources, instance)
    versions = {e.asset_key.path[-1]: e.tags[DATA_VERSION_TAG] for e in first.asset_events}
    assert {e.partition for e in first.asset_events} == {DAY.isoformat()}
    assert set(versions) == {spec.name for spec in LANDING_FILES}
    assert [spec.name for spec in LANDING_FILES if versions[spec.name] == NOT_SENT] == [
        spec.name for spec in LANDING_FILES if spec.optional
    ]
    assert _tick(resources, instance, first.cursor).asset_events == []
    _deliver(landing, DAY, ["a line delivered again"])
    changed = _tick(resources, instance, first.cursor).asset_events
    assert [e.asset_key.path[-1] for e in changed] == ["transactions"]


def _observed_version(resources: dict, name: str) -> str:
    """The data version one landing file of DAY is observed with (the observation function, called directly)."""
    context = dg.build_asset_context(partition_key=DAY.isoformat(), resources={"paths": resources["paths"]})
    return next(r.data_version.value for r in landing_files(context) if r.asset_key.path[-1] == name)


def test_the_observed_data_version_changes_with_the_content_and_only_then(landing, resources):
    _deliver(landing, DAY, ["first content"])
    first = _observed_version(resources, "transactions")
    _deliver(landing, DAY, ["first content"])  # written again, same bytes
    assert _observed_version(resources, "transactions") == first
    _deliver(landing, DAY, ["other content"])  # same size, other bytes
    assert _observed_version(resources, "transactions") != first


def test_observing_a_day_records_each_files_version_on_its_partition(landing, resources, instance):
    _deliver(landing, DAY)
    defs = dg.Definitions(assets=[landing_files], resources={"paths": resources["paths"]})
    keys = [dg.AssetKey(["landing", spec.name]) for spec in LANDING_FILES]
    job = defs.resolve_implicit_global_asset_job_def()
    assert job.execute_in_process(partition_key=DAY.isoformat(), instance=instance, asset_selection=keys).success
    record = instance.fetch_observations(dg.AssetKey(["landing", "transactions"]), limit=1).records[0]
    assert record.asset_observation.partition == DAY.isoformat()
    assert record.asset_observation.tags[DATA_VERSION_TAG] == _observed_version(resources, "transactions") != NOT_SENT


def test_a_new_delivery_shows_the_day_of_the_raw_table_as_having_new_data_upstream(landing, resources, instance):
    @dg.asset(key=["raw", "transactions"], deps=[["landing", "transactions"]], partitions_def=daily_partitions)
    def raw_transactions() -> None:
        """Stands for the raw load: what matters is what Dagster records of its upstream."""

    def stale_causes() -> list[str]:
        resolver = get_stale_status_resolver(instance, [landing_files, raw_transactions])
        return [c.reason for c in resolver.get_stale_causes(raw_transactions.key, DAY.isoformat())]

    def tick(cursor: str | None) -> str:
        result = _tick(resources, instance, cursor)
        for event in result.asset_events:  # what the daemon records of the sensor's tick
            instance.report_runless_asset_event(event)
        return result.cursor

    _deliver(landing, DAY)
    cursor = tick(None)
    defs = dg.Definitions(assets=[landing_files, raw_transactions], resources={"paths": resources["paths"]})
    job = defs.resolve_implicit_global_asset_job_def()
    assert job.execute_in_process(
        partition_key=DAY.isoformat(), instance=instance, asset_selection=[raw_transactions.key]
    ).success
    assert stale_causes() == []
    tick(cursor)  # nothing new
    assert stale_causes() == []
    _deliver(landing, DAY, ["a line delivered again"])
    tick(cursor)
    assert stale_causes() == ["has a new dependency data version"]
