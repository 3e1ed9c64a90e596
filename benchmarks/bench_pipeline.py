"""Benchmark: one simulated day of N transactions, landing files to fact_transactions with its checks.

Simulates the day in a child process, then materialises raw, clean and the star schema up to
fact_transactions in this process on a fresh DuckDB file. Prints each asset's wall time and rows/s,
the run's wall time and this process's peak memory; the last line is one JSON object.

    uv run python benchmarks/bench_pipeline.py --transactions 1000000
"""

import argparse
import datetime as dt
import json
import os
import resource
import tempfile
import time
from pathlib import Path

from simulation import simulate

DAY = dt.date(2025, 6, 2)


def _arguments() -> argparse.Namespace:
    """The day's size and where its files and database go."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transactions", type=int, default=1_000_000, help="transactions in the day")
    parser.add_argument("--clients", type=int, help="clients in the book (default: transactions / 50)")
    parser.add_argument("--workdir", type=Path, help="folder for landing files and DuckDB (default: a temporary one)")
    return parser.parse_args()


def _simulate_day(workdir: Path, transactions: int, clients: int) -> float:
    """The day's landing files in `workdir`, the pipeline pointed at it; seconds the simulation took."""
    os.environ.update(
        RISKHUB_DATA_DIR=str(workdir),
        DAGSTER_HOME=str(workdir / "dagster"),
        RISKHUB_PSEUDONYMISATION_KEY="benchmark-key",
    )
    (workdir / "dagster").mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    simulate(workdir, DAY, DAY, clients, transactions / clients)
    return time.perf_counter() - started


def _run_to_fact_transactions():
    """The day's run from landing files to fact_transactions, its wall seconds, and its step statistics."""
    import dagster as dg

    from riskhub_assets.definitions import build_defs

    defs = build_defs()
    target = dg.AssetKey(["warehouse", "fact_transactions"])
    job = dg.define_asset_job(
        "bench", selection=dg.AssetSelection.assets(target).upstream().materializable().required_multi_asset_neighbors()
    )
    bench_defs = dg.Definitions.merge(defs, dg.Definitions(jobs=[job]))
    instance = dg.DagsterInstance.ephemeral()
    started = time.perf_counter()
    result = bench_defs.resolve_job_def("bench").execute_in_process(
        partition_key=DAY.isoformat(), instance=instance, raise_on_error=False
    )
    return result, time.perf_counter() - started, instance.get_run_step_stats(result.run_id)


def _asset_figures(result, step_stats) -> dict[str, dict]:
    """Each step's wall seconds and the rows its asset wrote in the run (quarantines left out)."""
    assets = {s.step_key: {"seconds": round(s.end_time - s.start_time, 3)} for s in step_stats if s.end_time}
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            metadata = event.event_specific_data.materialization.metadata
            if "rows_in_run" in metadata and not event.asset_key.path[-1].endswith("quarantine"):
                assets.setdefault(event.step_key, {})["rows"] = metadata["rows_in_run"].value
    return assets


def _blocking_failures(result) -> list[str]:
    """The checks of severity ERROR that failed: they would stop the daily run."""
    return [
        c.check_name
        for c in (e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION")
        if not c.passed and c.severity.value == "ERROR"
    ]


def main() -> None:
    args = _arguments()
    clients = args.clients or max(args.transactions // 50, 100)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="riskhub-bench-"))
    simulate_s = _simulate_day(workdir, args.transactions, clients)
    result, run_s, step_stats = _run_to_fact_transactions()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assets, failed = _asset_figures(result, step_stats), _blocking_failures(result)
    for step, figures in assets.items():
        rows, seconds = figures.get("rows"), figures.get("seconds", 0)
        rate = f"{rows / seconds:>12,.0f} rows/s" if rows and seconds else ""
        print(f"{step:<40} {seconds:>7.2f} s {rows or '':>10} rows {rate}")
    print(
        f"simulate {simulate_s:.1f} s (not part of the target); run {run_s:.2f} s wall; peak memory {peak_mb:,.0f} MB;"
        f" success {result.success}; blocking checks failed: {failed or 'none'}"
    )
    print(
        json.dumps(
            {
                "transactions": args.transactions,
                "clients": clients,
                "success": result.success,
                "run_wall_s": round(run_s, 2),
                "peak_memory_mb": round(peak_mb),
                "blocking_checks_failed": failed,
                "assets": assets,
                "target_wall_s": 15,
                "target_peak_memory_mb": 1536,
            }
        )
    )


if __name__ == "__main__":
    main()
