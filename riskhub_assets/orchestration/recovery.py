"""Recovery after a crash: a run whose process died is failed and its `duckdb_writer` slot freed, so the next runs go.

Dagster's run monitoring asks the run launcher whether a run's worker is alive (RiskHubRunLauncher, launcher.py, asks
`run_worker_gone` below) and frees the pool slots of ended runs (`free_slots_after_run_end_seconds`); the `riskhub`
command calls `recover_crashed_runs` before each run, so it recovers without the daemon too. A run is judged only on
the host it ran on (its `riskhub/host` tag): a process on another machine or container cannot be seen from here.
"""

import os
import socket
from pathlib import Path

import dagster as dg

HOST_TAG = "riskhub/host"
"""Host whose processes ran the run: only there can its worker be checked."""
PID_TAG = "riskhub/pid"
"""Process id of a run executed in process by the `riskhub` command (every run has its worker's on RUN_START)."""
UNFINISHED = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]


def this_host() -> str:
    """Name of the machine (or container) this process runs on."""
    return socket.gethostname()


def in_process_tags() -> dict[str, str]:
    """Tags of a run this process executes itself: where and in which process, to tell later if it died."""
    return {HOST_TAG: this_host(), PID_TAG: str(os.getpid())}


def worker(instance: dg.DagsterInstance, run: dg.DagsterRun) -> tuple[int, float] | None:
    """Process that executes a run, and a time it was running: the one that reported the run's RUN_START, else (not
    started yet) the `riskhub` command's that created it."""
    starts = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.RUN_START, limit=1).records
    if starts and starts[0].event_log_entry.dagster_event.pid is not None:
        return starts[0].event_log_entry.dagster_event.pid, starts[0].event_log_entry.timestamp
    if PID_TAG not in run.tags:
        return None
    return int(run.tags[PID_TAG]), instance.get_run_record_by_id(run.run_id).create_timestamp.timestamp()


def process_alive(pid: int, running_at: float) -> bool:
    """Whether the process with this id that was running at `running_at` (epoch seconds) still runs on this host; on
    Linux a dead process not yet collected by its parent (zombie) and a later process given the same id (after a
    reboot, or in a new container) do not count."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        pass
    state, started_at = _process_state(pid)
    return state != "Z" and (started_at is None or started_at <= running_at + CLOCK_SLACK_SECONDS)


CLOCK_SLACK_SECONDS = 5
"""How far the boot time that Linux reports may be off the clock that timed the run's events."""


def _process_state(pid: int) -> tuple[str | None, float | None]:
    """A process's state letter and start time (epoch seconds) from /proc, or (None, None) off Linux."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = next(line for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime "))
    except (OSError, StopIteration):
        return None, None
    fields = stat.rsplit(")", 1)[-1].split()  # after the command name: state (field 3), ..., starttime (field 22)
    return fields[0], int(boot.split()[1]) + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def run_worker_gone(instance: dg.DagsterInstance, run: dg.DagsterRun) -> str | None:
    """Why an unfinished run's worker is known to be dead (its process on this host is gone), else None."""
    if run.tags.get(HOST_TAG) != this_host():
        return None
    known = worker(instance, run)
    if known is None or process_alive(*known):
        return None
    pid = known[0]
    return (
        f"the process running it (pid {pid} on {run.tags[HOST_TAG]}) is gone: it was killed or crashed, so the run"
        " is failed and its duckdb_writer slot freed for the next runs. Its business days keep what its last finished"
        " step wrote: run them again"
    )


def fail_crashed_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed every unfinished run of this host whose process died, freeing its pool slots; say which."""
    failed = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=UNFINISHED)):
        reason = run_worker_gone(instance, run)
        if reason is None:
            continue
        instance.report_run_failed(run, f"Run {run.run_id} failed: {reason}.")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        failed.append(f"run {run.run_id} ({run.job_name}) was left unfinished by a crash: {reason}")
    return failed


def free_slots_of_ended_runs(instance: dg.DagsterInstance) -> list[str]:
    """Free the pool slots still held by runs that ended (failed or canceled by hand, or deleted); say which."""
    freed = []
    for run_id in instance.event_log_storage.get_concurrency_run_ids():
        run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            instance.event_log_storage.free_concurrency_slots_for_run(run_id)
            freed.append(f"freed the pool slots of run {run_id}, which had ended without freeing them")
    return freed


def recover_crashed_runs(instance: dg.DagsterInstance) -> list[str]:
    """Fail the runs of this host whose process died and free every slot held by an ended run; say what was done."""
    if not instance.event_log_storage.supports_global_concurrency_limits:
        return []
    return fail_crashed_runs(instance) + free_slots_of_ended_runs(instance)
