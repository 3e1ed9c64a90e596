"""Where RiskHub keeps its files and secrets, read from environment variables with local defaults."""

import os
import warnings
from pathlib import Path

DEV_PSEUDONYMISATION_KEY = "riskhub-development-key-do-not-use-in-production"
PSEUDONYMISATION_KEY_VAR = "RISKHUB_PSEUDONYMISATION_KEY"


def data_dir() -> Path:
    """Root of local state: landing files, the DuckDB warehouse, Dagster's home."""
    return Path(os.environ.get("RISKHUB_DATA_DIR", "data")).resolve()


def landing_dir() -> Path:
    """Folder holding one sub-folder of landing CSVs per business day."""
    return Path(os.environ.get("RISKHUB_LANDING_DIR", data_dir() / "landing")).resolve()


def duckdb_path() -> Path:
    """The warehouse database file the pipeline writes."""
    return Path(os.environ.get("RISKHUB_DUCKDB_PATH", data_dir() / "riskhub.duckdb")).resolve()


def bi_dir() -> Path:
    """Where BI tools read: the published read-only DuckDB copy, Parquet and CSV exports of the marts."""
    return Path(os.environ.get("RISKHUB_BI_DIR", data_dir() / "bi")).resolve()


def reports_dir() -> Path:
    """Where the daily JSON reports are written."""
    return Path(os.environ.get("RISKHUB_REPORTS_DIR", data_dir() / "reports")).resolve()


def dagster_home() -> Path:
    """Where Dagster keeps run history, so the UI shows runs launched from the command line."""
    return Path(os.environ.get("DAGSTER_HOME", data_dir() / "dagster")).resolve()


def partitions_start() -> str:
    """First business day the daily partitions cover."""
    return os.environ.get("RISKHUB_PARTITIONS_START", "2024-01-01")


DEV_KEY_WARNING = (
    f"{PSEUDONYMISATION_KEY_VAR} is not set: pseudonyms use the PUBLIC DEVELOPMENT KEY and can be "
    "reversed by anyone with a list of candidate names. Set a secret key before loading real data."
)


def pseudonymisation_key() -> bytes:
    """The HMAC key for pseudonyms; falls back to a public development key with a loud warning."""
    key = os.environ.get(PSEUDONYMISATION_KEY_VAR)
    if key:
        return key.encode()
    warnings.warn(DEV_KEY_WARNING, UserWarning, stacklevel=2)
    return DEV_PSEUDONYMISATION_KEY.encode()
