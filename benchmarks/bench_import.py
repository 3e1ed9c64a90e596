"""Benchmark: the time and peak memory of loading RiskHub's Dagster definitions (`import riskhub_assets.definitions`,
what the UI, the daemon, `dg check defs` and every run worker do first), beside a baseline git revision.

Each round imports the definitions in a fresh Python process, for this working tree and for the baseline (its
`riskhub_assets` and pyproject.toml exported with `git archive` into a temporary folder, same virtual environment), interleaved so both
see the same machine load. Prints each side's median wall time, CPU time (user + system, steadier than wall time on
a shared machine) and peak memory (max RSS), the ratios after/before, and whether the ML stack (scikit-learn,
XGBoost, MLflow, matplotlib) was imported; the last line is one JSON object.

    uv run python benchmarks/bench_import.py [--baseline 5c68d5b] [--rounds 5]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = (
    "import sys; import riskhub_assets.definitions;"
    " print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'xgboost', 'mlflow', 'matplotlib'}))"
)


def _export(revision: str, folder: Path) -> Path:
    """The `riskhub_assets` package of a git revision and its pyproject.toml (where Dagster finds the defs folder),
    written under `folder`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "riskhub_assets", "pyproject.toml"],
        check=True,
        capture_output=True,
    ).stdout
    tarball = folder / "baseline.tar"
    tarball.write_bytes(archive)
    with tarfile.open(tarball) as tar:
        tar.extractall(folder, filter="data")
    return folder


def _measure(source: Path, data: Path) -> dict:
    """One import of the definitions from `source` in a fresh process: wall and CPU seconds, peak MB, ML modules."""
    env = {**os.environ, "PYTHONPATH": str(source), "PYTHONWARNINGS": "ignore", "RISKHUB_DATA_DIR": str(data)}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", PROBE], cwd=source, env=env, stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    output = process.stdout.read().strip()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"importing the definitions from {source} failed")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024, "ml": output}


def _median(runs: list[dict]) -> dict:
    return {k: round(statistics.median(r[k] for r in runs), 3) for k in ("wall_s", "cpu_s", "peak_mb")} | {
        "ml_stack_imported": runs[-1]["ml"]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="5c68d5b", help="git revision to compare with (default: before issue 17)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        baseline, data = _export(args.baseline, Path(folder)), Path(folder) / "data"
        _measure(ROOT, data), _measure(baseline, data)  # warm-up: byte-code compiled, files in the page cache
        runs = {"before": [], "after": []}
        for _ in range(args.rounds):
            runs["before"].append(_measure(baseline, data))
            runs["after"].append(_measure(ROOT, data))
    figures = {side: _median(r) for side, r in runs.items()}
    for side, f in figures.items():
        print(
            f"{side:<7} wall {f['wall_s']:6.2f} s  cpu {f['cpu_s']:6.2f} s  peak {f['peak_mb']:6.0f} MB  ML stack: {f['ml_stack_imported']}"
        )
    ratios = {k: round(figures["after"][k] / figures["before"][k], 2) for k in ("wall_s", "cpu_s", "peak_mb")}
    print(f"after/before: wall {ratios['wall_s']}x, cpu {ratios['cpu_s']}x, peak memory {ratios['peak_mb']}x")
    print(json.dumps({**figures, "after_over_before": ratios, "baseline": args.baseline, "rounds": args.rounds}))


if __name__ == "__main__":
    main()
