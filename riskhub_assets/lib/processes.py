"""Long-running child processes kept up: one that exits is started again after a pause, the others run on.

`riskhub serve` runs the Dagster webserver and daemon, the scoring API and the dashboard side by side. If the API
dies (say, the MLflow store was briefly out of reach at start-up), the daemon must go on running the nightly
schedule: only the one that exited is started again, after a pause that doubles with each quick failure (1 s,
2 s, 4 s ... at most `longest_pause`) and is back to 1 s once it has stayed up for `longest_pause`.
"""

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Child:
    """One supervised command: its process, when it started, and when to start it again after it exited."""

    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    started: float = 0.0
    quick_exits: int = 0  # exits in a row after less than the longest pause up
    restart_at: float | None = None
    restarts: int = 0


def supervise(
    commands: dict[str, list[str]],
    env: dict[str, str],
    report: Callable[[str], None] = print,
    longest_pause: float = 60.0,
    running: Callable[[], bool] = lambda: True,
    tick: float = 1.0,
) -> dict[str, int]:
    """Run every command until `running()` turns false (or Ctrl-C), restarting any that exits; then stop them all.
    Returns how many times each was restarted."""
    children = [Child(name, command) for name, command in commands.items()]
    previous_sigterm = signal.signal(signal.SIGTERM, _interrupt)  # `docker stop` stops them all, as Ctrl-C does
    try:
        for child in children:
            _start(child, env)
        while running():
            for child in children:
                _check(child, env, report, longest_pause)
            time.sleep(tick)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous_sigterm)
        _stop([c.process for c in children if c.process is not None])
    return {c.name: c.restarts for c in children}


def _check(child: Child, env: dict[str, str], report: Callable[[str], None], longest_pause: float) -> None:
    """Start the child again when its pause is over; when it has just exited, say so and set its pause."""
    now = time.monotonic()
    if child.restart_at is not None:
        if now >= child.restart_at:
            child.restarts += 1
            _start(child, env)
        return
    if child.process.poll() is None:
        return
    _signal_group(child.process, signal.SIGTERM)  # what it left running (a webserver whose `dg dev` died)
    if now - child.started >= longest_pause:
        child.quick_exits = 0
    pause = min(2.0**child.quick_exits, longest_pause)
    child.quick_exits += 1
    child.restart_at = now + pause
    report(f"{child.name} exited with code {child.process.returncode}: starting it again in {pause:.0f} s")


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _start(child: Child, env: dict[str, str]) -> None:
    """Start the child in a process group of its own, so that stopping it stops everything it started."""
    child.process = subprocess.Popen(child.command, env=env, start_new_session=True)
    child.started, child.restart_at = time.monotonic(), None


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass  # the group has no process left


def _stop(processes: list[subprocess.Popen]) -> None:
    """Interrupt each process group as Ctrl-C would, then kill the groups not done within 30 seconds."""
    for process in processes:
        _signal_group(process, signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        _signal_group(process, signal.SIGKILL)
