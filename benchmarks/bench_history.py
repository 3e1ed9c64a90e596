"""Benchmark: a long history through the bulk path alone, and through it plus recording each day in Dagster.

Simulates N days in a child process, then loads them twice on fresh DuckDB files: once as the bulk path did before
(the daily spine over the range in one in-process run, in an ephemeral Dagster instance, nothing recorded), once as
`riskhub load-history` does now (the same run, then every day each asset published recorded in a persistent
instance with its row counts and check results). Prints both wall times and their ratio (the target is 1.5); the
last line is one JSON object.

    uv run python benchmarks/bench_history.py --days 240 --clients 300
"""

import argparse
import datetime as dt
import json
import os
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
    return parser.parse_args()


def _bulk(workdir: Path, start: dt.date, end: dt.date) -> tuple[float, bool]:
    """Seconds of the bulk path as it was: one in-process run in an ephemeral instance, no day recorded."""
    import dagster as dg

    from riskhub_assets.definitions import build_defs
    from riskhub_assets.orchestration.runs import run_business_days

    os.environ["RISKHUB_DUCKDB_PATH"] = str(workdir / "bulk.duckdb")
    defs = build_defs()
    started = time.perf_counter()
    with dg.DagsterInstance.ephemeral() as instance:
        result = run_business_days(defs, start, end, instance)
    return time.perf_counter() - started, result.success


def _recorded(workdir: Path, start: dt.date, end: dt.date) -> tuple[float, bool, int]:
    """Seconds of the recorded path: the same run, then each loaded day recorded in a persistent instance."""
    import dagster as dg

    from riskhub_assets.definitions import build_defs
    from riskhub_assets.lib import settings
    from riskhub_assets.orchestration.history import load_in_bulk

    os.environ["RISKHUB_DUCKDB_PATH"] = str(workdir / "recorded.duckdb")
    defs = build_defs()
    started = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        result, recorded = load_in_bulk(defs, start, end, instance, settings.landing_days(), settings.duckdb_path())
    return time.perf_counter() - started, result.success, recorded


def main() -> None:
    args = _arguments()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="riskhub-bench-history-"))
    os.environ.update(
        RISKHUB_DATA_DIR=str(workdir),
        DAGSTER_HOME=str(workdir / "dagster"),
        RISKHUB_PSEUDONYMISATION_KEY="benchmark-key",
    )
    (workdir / "dagster").mkdir(parents=True, exist_ok=True)
    (workdir / "dagster" / "dagster.yaml").touch()
    end = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=2)
    start = end - dt.timedelta(days=args.days - 1)
    simulate(workdir, start, end, args.clients, 2.0)
    bulk_s, bulk_ok = _bulk(workdir, start, end)
    recorded_s, recorded_ok, asset_days = _recorded(workdir, start, end)
    ratio = recorded_s / bulk_s
    print(f"{args.days} days, {args.clients} clients: bulk path {bulk_s:.1f} s (success {bulk_ok});")
    print(f"bulk + recording {asset_days:,} asset days in Dagster {recorded_s:.1f} s (success {recorded_ok});")
    print(f"ratio {ratio:.2f} (target {TARGET_RATIO})")
    figures = {
        "days": args.days,
        "clients": args.clients,
        "bulk_s": round(bulk_s, 1),
        "recorded_s": round(recorded_s, 1),
    }
    print(json.dumps({**figures, "asset_days": asset_days, "ratio": round(ratio, 2), "target_ratio": TARGET_RATIO}))


if __name__ == "__main__":
    main()
