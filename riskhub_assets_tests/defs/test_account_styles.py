"""The same bank landed with accounts as daily snapshots or as change records plus balances.csv loads the same."""

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from riskhub_assets.definitions import build_defs
from riskhub_assets.orchestration.runs import run_business_days
from riskhub_assets.simulator import SimulationConfig, simulate
from riskhub_assets_tests.resources import local_resources

START, END = dt.date(2025, 4, 1), dt.date(2025, 4, 6)
COMPARED = {
    "warehouse.dim_account": "account_id",
    "warehouse.fact_account_balances": "snapshot_date, account_id",
    "warehouse.fact_transactions": "transaction_id",
    "features.client_features": "as_of_date, client_id",
}
"""Tables that must come out the same, by their key."""


def _load(data: Path, accounts: str) -> dict[str, pd.DataFrame]:
    """Simulate the bank in this accounts style, run the daily spine over it, and read the compared tables."""
    simulate(SimulationConfig(START, END, clients=400, seed=5, tx_per_client=1.5, accounts=accounts), data)
    resources = local_resources(data)
    result = run_business_days(build_defs(resources), START, END)
    assert result.success
    with duckdb.connect(resources["duckdb"].database, read_only=True) as con:
        return {name: con.execute(f"SELECT * FROM {name} ORDER BY {key}").df() for name, key in COMPARED.items()}


def _rows(data: Path, name: str) -> list[int]:
    return [
        len((data / "landing" / day.name / f"{name}.csv").read_text().splitlines()) - 1
        for day in sorted((data / "landing").iterdir())
    ]


def test_change_records_and_a_balances_file_load_like_daily_snapshots(tmp_path):
    snapshot, changes = _load(tmp_path / "snapshot", "snapshot"), _load(tmp_path / "changes", "changes")
    account_rows, changed_rows = _rows(tmp_path / "snapshot", "accounts"), _rows(tmp_path / "changes", "accounts")
    assert changed_rows[0] == account_rows[0] and 0 < sum(changed_rows[1:]) < sum(account_rows[1:]) / 20
    assert _rows(tmp_path / "changes", "balances") == account_rows
    assert not (tmp_path / "snapshot" / "landing" / START.isoformat() / "balances.csv").exists()
    # The day of an account's latest record differs by construction: a snapshot re-sends every account daily.
    snapshot["warehouse.dim_account"].pop("last_record_date")
    changes["warehouse.dim_account"].pop("last_record_date")
    for name, frame in snapshot.items():
        assert len(frame) > 0, name
        pd.testing.assert_frame_equal(changes[name], frame, obj=name)
    closed = snapshot["warehouse.dim_account"]["close_date"].notna().sum()
    assert closed > 0  # accounts closed during the period: their change records were needed
