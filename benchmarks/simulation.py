"""What the benchmarks share: simulating a bank in a child process, so its memory never counts in a measurement."""

import datetime as dt
import subprocess
import sys
from pathlib import Path


def simulate(out: Path, start: dt.date, end: dt.date, clients: int, tx_per_client: float, seed: int = 7) -> None:
    """Write the simulator's landing files and truth for start..end under `out` (`riskhub simulate`)."""
    command = [sys.executable, "-m", "riskhub_assets.cli", "simulate", "--start", start.isoformat()]
    command += ["--end", end.isoformat(), "--clients", str(clients), "--tx-per-client", str(tx_per_client)]
    command += ["--seed", str(seed)]
    subprocess.run([*command, "--out", str(out)], check=True)
