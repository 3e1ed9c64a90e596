"""A simulated retail bank that writes daily landing files to the contract, plus the ground truth behind them."""

import datetime
import pathlib
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from riskhub_assets.lib.contract import LANDING_FILES
from riskhub_assets.simulator.daily import Bank
from riskhub_assets.simulator.dirty import corrupt
from riskhub_assets.simulator.reports import Day
from riskhub_assets.simulator.writer import write, write_landing

TRUTH_CLIENT_TYPES = {
    "client_id": "string",
    "status": "string",
    "default_probability_90d": "float",
    "churn_probability_90d": "float",
    "risk_propensity": "float",
    "engagement": "float",
    "engagement_drift": "float",
    "financial_stress": "float",
    "true_income": "float",
}
"""Columns of truth/DAY/clients.csv: status, true 90-day probabilities and latent traits at the end of the day."""
DIRTY_TYPES = {"file": "string", "line": "integer", "key": "string", "kind": "string", "column": "string"}
"""Columns of truth/DAY/dirty.csv: which row (line 1 = header) of which landing file got which defect, where."""


@dataclass(frozen=True)
class SimulationConfig:
    """What to simulate: the period (end inclusive), initial book size, randomness, activity and dirtiness."""

    start: datetime.date
    end: datetime.date
    clients: int = 5000
    seed: int = 7
    tx_per_client: float = 2.5
    dirty_rate: float = 0.0


@dataclass
class SimulationSummary:
    """What a simulation wrote: days, data rows per landing file, and planted defects."""

    days: int = 0
    rows: dict[str, int] = field(default_factory=lambda: {f.name: 0 for f in LANDING_FILES})
    dirty_rows: int = 0


def _write_day(
    con: duckdb.DuckDBPyConnection,
    result: Day,
    config: SimulationConfig,
    day: datetime.date,
    out_dir: pathlib.Path,
    summary: SimulationSummary,
) -> None:
    """Write one day's landing files (corrupted if asked) and its ground truth, and count what was written."""
    landing, truth = out_dir / "landing" / day.isoformat(), out_dir / "truth" / day.isoformat()
    frames = {
        "clients": result.clients,
        "accounts": result.accounts,
        "transactions": result.transactions,
        "events": result.events,
        "relationship_managers": result.relationship_managers,
        "product_holdings": result.product_holdings,
        "credit_facilities": result.credit_facilities,
    }
    defects: list[dict] = []
    for number, landing_file in enumerate(LANDING_FILES):
        path = write_landing(con, frames[landing_file.name], landing_file, day, landing)
        summary.rows[landing_file.name] += len(frames[landing_file.name])
        if config.dirty_rate > 0:
            rng = np.random.default_rng([config.seed, day.toordinal(), 1 + number])
            defects += corrupt(path, landing_file, config.dirty_rate, rng)
    write(con, result.truth, TRUTH_CLIENT_TYPES, day, truth / "clients.csv")
    write(con, result.fraud, {"transaction_id": "string", "pattern": "string"}, day, truth / "fraud.csv")
    write(con, result.personas, {"client_id": "string", "persona": "string"}, day, truth / "personas.csv")
    write(con, result.managers_truth, {"manager_id": "string", "sales_skill": "float"}, day, truth / "managers.csv")
    if config.dirty_rate > 0:
        write(con, pd.DataFrame(defects, columns=list(DIRTY_TYPES)), DIRTY_TYPES, day, truth / "dirty.csv")
    summary.dirty_rows += len(defects)
    summary.days += 1


def simulate(config: SimulationConfig, out_dir: pathlib.Path) -> SimulationSummary:
    """Simulate the bank day by day: landing files under out_dir/landing, ground truth under out_dir/truth."""
    bank = Bank(config.seed, config.clients, config.tx_per_client)
    summary = SimulationSummary()
    day = config.start
    with duckdb.connect() as con:
        while day <= config.end:
            _write_day(con, bank.day(day), config, day, pathlib.Path(out_dir), summary)
            day += datetime.timedelta(days=1)
    return summary
