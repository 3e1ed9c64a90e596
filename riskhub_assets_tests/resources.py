"""RiskHub's resources on a test's data folder: how tests configure where jobs read and write."""

import contextlib
import os
from pathlib import Path

from riskhub_assets.orchestration.mlflow_tracking import MlflowTracking
from riskhub_assets.orchestration.resources import (
    BankTimeZone,
    ModelStore,
    Pseudonymiser,
    QualityLimits,
    RiskHubPaths,
    Warehouse,
    duckdb_config,
)

TEST_KEY = "test-pseudonymisation-key"


def tracking_uri(data: Path) -> str:
    """The local MLflow store of a data folder."""
    return f"sqlite:///{data / 'mlflow.db'}"


def local_resources(
    data: Path, key: str = TEST_KEY, mapping_dir: Path | None = None, max_quarantine_rate: str = "0.05"
) -> dict:
    """The resources a local deployment would have with its data folder at `data` (and the bank's mapping folder and
    the quarantine limit given)."""
    data.mkdir(parents=True, exist_ok=True)
    database = str(data / "riskhub.duckdb")
    return {
        "duckdb": Warehouse(database=database, connection_config=duckdb_config()),
        "paths": RiskHubPaths(
            landing_dir=str(data / "landing"),
            reports_dir=str(data / "reports"),
            bi_dir=str(data / "bi"),
            mapping_dir=str(mapping_dir or ""),
        ),
        "pseudonymiser": Pseudonymiser(key=key),
        "quality_limits": QualityLimits(max_quarantine_rate=max_quarantine_rate),
        "bank_time_zone": BankTimeZone(),
        "model_store": ModelStore(tracking_uri=tracking_uri(data)),
        "mlflow": MlflowTracking(tracking_uri=tracking_uri(data)),
    }


@contextlib.contextmanager
def data_folder_environment(data: Path):
    """RISKHUB_DATA_DIR and DAGSTER_HOME pointed at `data` (its Dagster folder made) while the block runs, then put
    back as they were: for module-scoped banks, which monkeypatch cannot serve."""
    env = {"RISKHUB_DATA_DIR": str(data), "DAGSTER_HOME": str(data / "dagster")}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    (data / "dagster").mkdir(parents=True)
    try:
        yield data
    finally:
        for key, value in saved.items():
            os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)
