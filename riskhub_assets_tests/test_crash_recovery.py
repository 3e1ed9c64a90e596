"""After a crash the pipeline heals itself: a run whose process was killed is failed and its duckdb_writer slot freed,
so the next run goes through (issue 14, defect 1: a killed run used to block every later run for good)."""

import logging
import os
import random
import signal
import subprocess
import time
from multiprocessing import Process
from types import SimpleNamespace

import dagster as dg

from riskhub_assets import cli
from riskhub_assets.lib import settings
from riskhub_assets.orchestration import recovery
from riskhub_assets.orchestration.launcher import RiskHubRunLauncher
from riskhub_assets.orchestration.policy import DUCKDB_POOL
from riskhub_assets_tests.crash_probe import start_probe

KILLS = 3
NEXT_RUN_TIMEOUT = 90
"""Seconds the run after a kill may take (a few on an idle machine); a run blocked by a dead run's slot never ends."""


def _run_of(instance: dg.DagsterInstance, process: Process, timeout: float = 60) -> dg.DagsterRun | None:
    """The run a probe process executes, once STARTED (None if the process ended first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.is_alive():
        runs = instance.get_runs(filters=dg.RunsFilter(tags={recovery.PID_TAG: str(process.pid)}))
        if runs and runs[0].status != dg.DagsterRunStatus.NOT_STARTED:
            return runs[0]
        time.sleep(0.05)
    return None


def _claimed(instance: dg.DagsterInstance) -> set[str]:
    """Runs holding a duckdb_writer slot."""
    return instance.event_log_storage.get_concurrency_info(DUCKDB_POOL).active_run_ids


def _finish(process: Process) -> None:
    """Wait for a run that must finish and succeed; fail saying so if it hangs."""
    process.join(NEXT_RUN_TIMEOUT)
    if process.is_alive():
        process.kill()
        raise AssertionError(f"the run after a kill did not finish in {NEXT_RUN_TIMEOUT} s: blocked by the dead run?")
    assert process.exitcode == 0


def _kill_at_random(instance: dg.DagsterInstance, rng: random.Random) -> tuple[str, bool] | None:
    """Start a run, kill -9 its process at a random moment once it started; the run and whether it held a slot
    (None when the run had succeeded before the kill)."""
    process = start_probe()
    run = _run_of(instance, process)
    time.sleep(rng.uniform(0.0, 3.0))
    if run is None or not process.is_alive():
        _finish(process)
        return None
    os.kill(process.pid, signal.SIGKILL)
    os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)  # dead, not yet collected by its parent (a zombie)
    held = run.run_id in _claimed(instance)
    if instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.SUCCESS:  # killed on its way out
        process.join()
        return None
    assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.STARTED  # what the crash leaves
    launcher = RiskHubRunLauncher()
    launcher.register_instance(instance)
    assert launcher.check_run_worker_health(instance.get_run_by_id(run.run_id)).status.value == "FAILED"
    process.join()
    return run.run_id, held


def test_a_run_killed_at_random_points_is_failed_and_the_next_run_completes(capfd):
    cli._use_dagster_home()
    rng = random.Random(14)
    killed = []
    with dg.DagsterInstance.get() as instance:
        for _ in range(2 * KILLS + 2):  # a run may finish before its kill, or a kill miss the slot: bounded tries
            if len(killed) >= KILLS and any(held for _, held in killed):
                break
            victim = _kill_at_random(instance, rng)
            if victim is None:
                continue
            killed.append(victim)
            capfd.readouterr()
            _finish(start_probe())  # the next run goes through: the dead one no longer blocks it
            output = capfd.readouterr().out
            assert f"run {victim[0]} (crash_probe) was left unfinished by a crash" in output
            assert "crash_probe run" in output and "succeeded" in output.splitlines()[-1]
        assert len(killed) >= KILLS, killed
        assert any(held for _, held in killed), "no kill landed while a step held the duckdb_writer slot"
        for run_id, _ in killed:
            run = instance.get_run_by_id(run_id)
            assert run.status == dg.DagsterRunStatus.FAILURE
            failure = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records
            assert "is gone: it was killed or crashed" in failure[0].event_log_entry.message
        assert _claimed(instance) == set()


def _kill_holding_the_slot(instance: dg.DagsterInstance) -> str:
    """Start a run and kill -9 its process while one of its steps holds the duckdb_writer slot; the run's id."""
    process = start_probe()
    deadline = time.monotonic() + 60
    while not _claimed(instance) and time.monotonic() < deadline:
        time.sleep(0.02)
    (run_id,) = _claimed(instance)
    os.kill(process.pid, signal.SIGKILL)
    process.join()
    return run_id


def test_dagster_run_monitoring_fails_a_dead_run_and_frees_its_slot_without_the_riskhub_command():
    from dagster._daemon.monitoring import execute_concurrency_slots_iteration, execute_run_monitoring_iteration

    cli._use_dagster_home()
    config = settings.dagster_home() / "dagster.yaml"
    config.write_text(
        config.read_text().replace("free_slots_after_run_end_seconds: 10", "free_slots_after_run_end_seconds: 1")
    )
    with dg.DagsterInstance.get() as instance:
        assert instance.run_monitoring_enabled and isinstance(instance.run_launcher, RiskHubRunLauncher)
        run_id = _kill_holding_the_slot(instance)
        daemon = SimpleNamespace(instance=instance, create_request_context=lambda: None)  # what the daemon passes
        list(execute_run_monitoring_iteration(daemon, logging.getLogger("monitoring")))
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
        failure = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records
        assert "is gone: it was killed or crashed" in failure[0].event_log_entry.message
        time.sleep(2)  # the slots of a run that ended are freed free_slots_after_run_end_seconds later
        list(execute_concurrency_slots_iteration(daemon, logging.getLogger("monitoring")))
        assert _claimed(instance) == set()


def test_an_existing_instance_gets_the_recovery_settings_and_keeps_its_own(capsys):
    import yaml

    config = settings.dagster_home() / "dagster.yaml"
    before = "concurrency:\n  pools:\n    default_limit: 1\n  runs:\n    max_concurrent_runs: 3\nrun_retries:\n  enabled: true\n"
    config.write_text(before)  # an instance written by an earlier riskhub, plus a user's own settings
    cli._use_dagster_home()
    merged = yaml.safe_load(config.read_text())
    assert merged["run_monitoring"]["enabled"] is True and merged["run_monitoring"]["poll_interval_seconds"] == 30
    assert merged["run_launcher"]["class"] == "RiskHubRunLauncher"
    assert merged["concurrency"] == {"pools": {"default_limit": 1}, "runs": {"max_concurrent_runs": 3}}
    assert merged["run_retries"] == {"enabled": True}
    assert "added RiskHub's Dagster settings run_launcher, run_monitoring, telemetry to" in capsys.readouterr().out
    cli._use_dagster_home()  # up to date: left as it is, nothing said
    assert yaml.safe_load(config.read_text()) == merged and capsys.readouterr().out == ""
    with dg.DagsterInstance.get() as instance:
        assert "MONITORING" in instance.get_required_daemon_types()  # `riskhub serve` and `riskhub ui` start it
        assert isinstance(instance.run_launcher, RiskHubRunLauncher)


def test_a_process_id_given_to_a_later_process_is_not_the_run_worker():
    now = time.time()
    assert recovery.process_alive(os.getpid(), now)
    assert not recovery.process_alive(os.getpid(), now - 3600)  # this process started after: the worker is gone
    process = subprocess.Popen(["true"])
    process.wait()
    assert not recovery.process_alive(process.pid, now)  # exited and collected
