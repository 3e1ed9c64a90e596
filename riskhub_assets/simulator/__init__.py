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
from riskhub_assets.simulator.export_style import (
    ACCOUNTS,
    LOCAL_CURRENCY,
    STYLES,
    UNSENT_EVENTS,
    copy_style_mappings,
    style_mappings,
    write_styled,
)
from riskhub_assets.simulator.fx import REPORTING_CURRENCY, fx_rates
from riskhub_assets.simulator.local_currency import in_local_currency
from riskhub_assets.simulator.reports import Day, account_changes
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
ACCOUNT_STYLES = ("snapshot", "changes")
"""How accounts land: a full end-of-day snapshot carrying balances (the canonical style), or change records (accounts
opened, changed or closed that day) with every end-of-day balance in balances.csv."""
DIRTY_TYPES = {"file": "string", "line": "integer", "key": "string", "kind": "string", "column": "string"}
"""Columns of truth/DAY/dirty.csv: which row (line 1 = header) of which landing file got which defect, where."""


@dataclass(frozen=True)
class SimulationConfig:
    """What to simulate: the period (end inclusive), initial book size, randomness, activity, dirtiness and the
    export style the landing files are written in."""

    start: datetime.date
    end: datetime.date
    clients: int = 5000
    seed: int = 7
    tx_per_client: float = 2.5
    dirty_rate: float = 0.0
    style: str = "canonical"
    accounts: str | None = None  # one of ACCOUNT_STYLES; None = the export style's own (export_style.ACCOUNTS)

    def __post_init__(self):
        if self.style not in STYLES:
            raise ValueError(f"unknown export style {self.style!r}: expected one of {', '.join(STYLES)}")
        if self.accounts is None:
            object.__setattr__(self, "accounts", ACCOUNTS[self.style])
        if self.style == "foreign" and self.accounts != "changes":
            raise ValueError("the foreign style sends accounts as change records: drop --accounts snapshot")
        if self.accounts not in ACCOUNT_STYLES:
            raise ValueError(f"unknown accounts style {self.accounts!r}: use one of {', '.join(ACCOUNT_STYLES)}")
        if self.dirty_rate > 0 and self.style != "canonical":
            raise ValueError(
                "defects (--dirty-rate) are planted in the canonical style only: drop --dirty-rate or --style"
            )


RECORD_FILES = ("transactions", "events")
"""Landing files whose every row is a new record; the others restate the bank's clients, accounts, managers... day
after day, so a summary counts their distinct keys, not their rows."""

BANK_ENTITIES = ("clients", "accounts", "relationship_managers")
"""What a summary names first: the bank's size."""


@dataclass
class SimulationSummary:
    """What a simulation wrote: days, data rows and distinct keys per landing file, and planted defects."""

    days: int = 0
    rows: dict[str, int] = field(default_factory=lambda: {f.name: 0 for f in LANDING_FILES})
    keys: dict[str, set] = field(
        default_factory=lambda: {f.name: set() for f in LANDING_FILES if f.name not in RECORD_FILES}
    )
    dirty_rows: int = 0

    def describe(self) -> str:
        """What the bank holds, as a reader counts it: distinct clients, accounts, managers... and the transactions
        and events of the period (files never written left out)."""
        order = {name: i for i, name in enumerate(BANK_ENTITIES)}
        written = sorted((n for n, count in self.rows.items() if count), key=lambda n: order.get(n, len(order)))
        entities = ", ".join(f"{len(self.keys[n]):,} {n}" for n in written if n not in RECORD_FILES)
        records = ", ".join(f"{self.rows[n]:,} {n}" for n in written if n in RECORD_FILES)
        return f"{entities} (distinct); {records}"


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
    local_currency = LOCAL_CURRENCY[config.style]
    frames = {
        "fx_rates": fx_rates(day, None if local_currency == REPORTING_CURRENCY else local_currency),
        "clients": result.clients,
        "accounts": result.accounts,
        "transactions": result.transactions,
        "events": result.events[~result.events["event_type"].isin(UNSENT_EVENTS[config.style])],
        "relationship_managers": result.relationship_managers,
        "product_holdings": result.product_holdings,
        "credit_facilities": result.credit_facilities,
    }
    if config.accounts == "changes":
        frames["accounts"] = account_changes(result.accounts, np.datetime64(day, "D"), summary.days == 0)
        frames["balances"] = result.accounts[["account_id", "balance"]]
    if local_currency != REPORTING_CURRENCY:
        account_currency = result.accounts.set_index("account_id")["currency"].astype(str)
        frames = in_local_currency(frames, account_currency, local_currency, day, config.start)
    defects: list[dict] = []
    mappings = style_mappings(config.style)
    for number, landing_file in enumerate(LANDING_FILES):
        if landing_file.name not in frames or (mappings and landing_file.name not in mappings):
            continue  # a style with mappings sends only the files it maps
        frame, mapping = frames[landing_file.name], mappings.get(landing_file.name)
        path = (
            write_styled(con, frame, mapping, day, landing)
            if mapping
            else write_landing(con, frame, landing_file, day, landing)
        )
        summary.rows[landing_file.name] += len(frame)
        if landing_file.name in summary.keys:
            summary.keys[landing_file.name].update(frame[landing_file.key].tolist())
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
    """Simulate the bank day by day: landing files under out_dir/landing (their mapping files under out_dir/mapping
    for a foreign style), ground truth under out_dir/truth."""
    copy_style_mappings(config.style, pathlib.Path(out_dir) / "mapping")
    bank = Bank(config.seed, config.clients, config.tx_per_client)
    summary = SimulationSummary()
    day = config.start
    with duckdb.connect() as con:
        while day <= config.end:
            _write_day(con, bank.day(day), config, day, pathlib.Path(out_dir), summary)
            day += datetime.timedelta(days=1)
    return summary
