"""Dagster on Postgres: with RISKHUB_DAGSTER_POSTGRES_URL set, runs, materializations and schedule ticks are stored in
a real PostgreSQL server (started by the fixture), and no secret is written to the instance file."""

import datetime as dt
import itertools
import logging
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
import pytest
import yaml
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.scheduler.instigation import InstigatorType, TickStatus
from dagster._core.storage.runs import SqliteRunStorage
from dagster._core.test_utils import InProcessTestWorkspaceLoadTarget, create_test_daemon_workspace_context
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._scheduler.scheduler import launch_scheduled_runs
from dagster_postgres import PostgresRunStorage

from riskhub_assets import cli
from riskhub_assets.lib import settings
from riskhub_assets.lib.settings import SettingError
from riskhub_assets.orchestration.instance import POSTGRES_DRIVER, POSTGRES_URL_VAR, ensure_instance_settings
from riskhub_assets.orchestration.table_assets import asset_key
from riskhub_assets.simulator import SimulationConfig, simulate
from riskhub_assets_tests.postgres_server import count_rows, create_database, postgres_server, require_binaries

DAY = dt.date(2025, 2, 4)


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL server for the session (skipped without the binaries, failing under CI=true)."""
    with postgres_server(require_binaries()) as url:
        yield url


@pytest.fixture
def dagster_database(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new database for this test's Dagster instance, named to Dagster by RISKHUB_DAGSTER_POSTGRES_URL only."""
    url = create_database(postgres_url, f"dagster_{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv(POSTGRES_URL_VAR, url.replace("postgresql://", f"{POSTGRES_DRIVER}://"))
    return url


def _instance_file() -> Path:
    return settings.dagster_home() / "dagster.yaml"


def test_without_postgres_settings_the_history_stays_in_sqlite(isolated_data):
    ensure_instance_settings(_instance_file())
    assert "storage" not in yaml.safe_load(_instance_file().read_text())
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.run_storage, SqliteRunStorage)


def test_a_url_without_the_psycopg2_driver_is_refused_naming_the_fix(isolated_data, monkeypatch):
    monkeypatch.setenv(POSTGRES_URL_VAR, "postgresql://dagster:secret@db:5432/dagster")
    with pytest.raises(SettingError, match=rf"{POSTGRES_URL_VAR} .*postgresql\+psycopg2://user:password@host"):
        ensure_instance_settings(_instance_file())
    assert not _instance_file().exists()


def test_dagster_pg_variables_given_in_part_are_refused_naming_those_missing(isolated_data, monkeypatch):
    monkeypatch.setenv("DAGSTER_PG_HOST", "db")
    monkeypatch.setenv("DAGSTER_PG_USERNAME", "dagster")
    with pytest.raises(SettingError, match="DAGSTER_PG_PASSWORD, DAGSTER_PG_DB not"):
        ensure_instance_settings(_instance_file())


def test_an_instance_on_postgres_whose_variable_is_unset_is_refused_naming_it(isolated_data, monkeypatch):
    monkeypatch.setenv(POSTGRES_URL_VAR, f"{POSTGRES_DRIVER}://dagster@db:5432/dagster")
    ensure_instance_settings(_instance_file())
    monkeypatch.delenv(POSTGRES_URL_VAR)
    with pytest.raises(SettingError, match=f"dagster.yaml keeps .* {POSTGRES_URL_VAR} points to, which is not set"):
        ensure_instance_settings(_instance_file())


def test_dagster_pg_variables_put_the_instance_on_postgres_without_writing_the_password(
    isolated_data, postgres_url, monkeypatch
):
    server = urlsplit(postgres_url)
    database = urlsplit(create_database(postgres_url, f"dagster_{uuid.uuid4().hex[:12]}")).path.lstrip("/")
    parts = {"HOST": server.hostname, "PORT": str(server.port), "USERNAME": server.username, "DB": database}
    for part, value in {**parts, "PASSWORD": "not-written-to-files"}.items():
        monkeypatch.setenv(f"DAGSTER_PG_{part}", value)
    ensure_instance_settings(_instance_file())
    assert "not-written-to-files" not in _instance_file().read_text()
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage) and instance.get_runs() == []
    assert count_rows(f"{postgres_url}/{database}", "runs") == 0  # Dagster's tables were created there


def test_a_partitioned_run_is_recorded_in_postgres(isolated_data, dagster_database):
    simulate(SimulationConfig(start=DAY, end=DAY, clients=20, seed=5, tx_per_client=1.0), isolated_data)
    day = DAY.isoformat()
    assert cli.main(["materialise", "--start", day, "--end", day, "--job", "daily_spine"]) == 0

    instance_file = _instance_file().read_text()
    assert POSTGRES_URL_VAR in instance_file and "127.0.0.1" not in instance_file  # read at start, not stored
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        runs = instance.get_runs()
        assert [(r.job_name, r.is_success) for r in runs] == [("daily_spine", True)]
        event = instance.get_latest_materialization_event(asset_key("warehouse.fact_transactions"))
    assert event.run_id == runs[0].run_id and event.asset_materialization.partition == day
    assert count_rows(dagster_database, "runs") == 1
    assert not (settings.dagster_home() / "history").exists()  # no SQLite run history beside the file


def _scheduler_tick(instance: dg.DagsterInstance, workspace, at: dt.datetime) -> None:
    """One iteration of the daemon's scheduler as if it were `at`."""
    iterator = launch_scheduled_runs(workspace, logging.getLogger("scheduler"), at, iteration_times={})
    list(itertools.islice(iterator, 100))


def test_the_nightly_schedule_ticks_into_postgres(isolated_data, dagster_database):
    ensure_instance_settings(_instance_file())
    origin = InProcessCodeLocationOrigin(LoadableTargetOrigin(module_name="riskhub_assets.definitions"))
    with (
        dg.DagsterInstance.get() as instance,
        create_test_daemon_workspace_context(InProcessTestWorkspaceLoadTarget(origin), instance) as workspace,
    ):
        first_night = dt.datetime(2024, 1, 2, 1, tzinfo=dt.UTC)  # a Tuesday: no weekly training tick
        _scheduler_tick(instance, workspace, first_night)  # the daemon starts following the schedule
        _scheduler_tick(instance, workspace, first_night + dt.timedelta(hours=2))  # 02:00 has passed
        state = next(
            s
            for s in instance.all_instigator_state(instigator_type=InstigatorType.SCHEDULE)
            if s.name == "daily_schedule"
        )
        ticks = instance.get_ticks(state.instigator_origin_id, state.selector_id)
        assert [t.status for t in ticks] == [TickStatus.SUCCESS]
        run = instance.get_run_by_id(ticks[0].run_ids[0])
    assert run.job_name == "daily" and run.tags["dagster/partition"] == "2024-01-01"
    assert run.status == dg.DagsterRunStatus.QUEUED  # queued for the daemon's run queue, which is not running here
    assert count_rows(dagster_database, "job_ticks") == 1
