"""Benchmark: a long history through the bulk path alone, and through it plus recording each day in Dagster.

Simulates N days in a child process, then loads them twice on fresh DuckDB files: once as the bulk path did before
(the daily spine over the range in one in-process run, in an ephemeral Dagster instance, nothing recorded), once as
`riskhub load-history` does now (the same run, then every day each asset published recorded in a persistent
instance with its row counts and check results). Prints both wall and CPU times (CPU time, all threads, is the
fairer measure on a machine shared with other work) and their ratios (the target is 1.5); the last line is one JSON
object. A --workdir that already holds a landing zone is reused as it is.

    uv run python benchmarks/bench_history.py --days 240 --clients 300
    uv run python benchmarks/bench_history.py --workdir /tmp/h --only recorded   # one path, e.g. both at once
"""

import argparse
import datetime as dt
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from simulation import simulate

TARGET_RATIO = 1.5


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=240, help="business days of history")
    parser.add_argument("--clients", type=int, default=300, help="clients of the simulated bank")
    parser.add_argument("--workdir", type=Path, help="folder for landing files and DuckDB (default: a temporary one)")
    parser.add_argument("--only", choices=["bulk", "recorded"], help="time one path only")
    return parser.parse_args()


def _timed(load) -> dict:
    """Wall and CPU seconds (this process, all threads) of a load, and what it returned."""
    wall, cpu = time.perf_counter(), time.process_time()
    outcome = load()
    return {"wall_s": round(time.perf_counter() - wall, 1), "cpu_s": round(time.process_time() - cpu, 1), **outcome}


def _bulk(workdir: Path, start: dt.date, end: dt.date) -> dict:
    """The bulk path as it was: one in-process run in an ephemeral instance, no day recorded."""
    import dagster as dg

    from riskhub_assets.definitions import build_defs
    from riskhub_assets.orchestration.runs import run_business_days

    defs = build_defs()
    with dg.DagsterInstance.ephemeral() as instance:
        return {"success": run_business_days(defs, start, end, instance).success}


def _recorded(workdir: Path, start: dt.date, end: dt.date) -> dict:
    """The recorded path: the same run, then each loaded day recorded in a persistent instance."""
    import dagster as dg

    from riskhub_assets.definitions import build_defs
    from riskhub_assets.lib import settings
    from riskhub_assets.orchestration.history import load_in_bulk

    defs = build_defs()
    with dg.DagsterInstance.get() as instance:
        result, recorded = load_in_bulk(defs, start, end, instance, settings.landing_days(), settings.duckdb_path())
    return {"success": result.success, "asset_days": recorded}


def _fresh(workdir: Path, path: str) -> None:
    """Point the pipeline at a new DuckDB file (and Dagster home) for one path."""
    for leftover in workdir.glob(f"{path}.duckdb*"):
        leftover.unlink()
    home = workdir / f"dagster-{path}"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    (home / "dagster.yaml").touch()
    os.environ.update(RISKHUB_DUCKDB_PATH=str(workdir / f"{path}.duckdb"), DAGSTER_HOME=str(home))


def main() -> None:
    args = _arguments()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="riskhub-bench-history-"))
    os.environ.update(RISKHUB_DATA_DIR=str(workdir), RISKHUB_PSEUDONYMISATION_KEY="benchmark-key")
    days = sorted(p.name for p in (workdir / "landing").glob("????-??-??"))
    if days:
        start, end = dt.date.fromisoformat(days[0]), dt.date.fromisoformat(days[-1])
    else:
        end = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=2)
        start = end - dt.timedelta(days=args.days - 1)
        simulate(workdir, start, end, args.clients, 2.0)
    paths = {"bulk": _bulk, "recorded": _recorded}
    figures = {}
    for path in [args.only] if args.only else paths:
        _fresh(workdir, path)
        figures[path] = _timed(lambda load=paths[path]: load(workdir, start, end))
        print(f"{start}..{end} ({len(days) or args.days} days) {path}: {figures[path]}")
    if len(figures) == 2:
        wall, cpu = (figures["recorded"][k] / figures["bulk"][k] for k in ("wall_s", "cpu_s"))
        figures.update(wall_ratio=round(wall, 2), cpu_ratio=round(cpu, 2), target_ratio=TARGET_RATIO)
        print(f"recorded / bulk: wall {wall:.2f}x, CPU {cpu:.2f}x (target {TARGET_RATIO}x)")
    print(json.dumps({"first_day": str(start), "last_day": str(end), **figures}))


if __name__ == "__main__":
    main()
