"""Where RiskHub keeps its files, read from environment variables with local defaults.

Read once at process start: by the CLI, the API and the dashboard, and by the resources when the definitions load.
Assets never read these: their configuration reaches them through resources.
"""

import datetime as dt
import os
from pathlib import Path

from riskhub_assets.lib.reference import DEFAULT_DIR as DEFAULT_REFERENCE_DIR

ENVIRONMENTS = ("local", "production")
MIN_TRAINING_EVENTS_VAR = "RISKHUB_MIN_TRAINING_EVENTS"
DEFAULT_MIN_TRAINING_EVENTS = 30
PARTITIONS_START_VAR = "RISKHUB_PARTITIONS_START"
DEFAULT_PARTITIONS_START = "2024-01-01"
MAX_QUARANTINE_RATE_VAR = "RISKHUB_MAX_QUARANTINE_RATE"
"""Largest share of a day's landed records of a file that may be quarantined (read by the quality_limits resource)."""
MIN_VOLUME_SHARE_VAR = "RISKHUB_MIN_VOLUME_SHARE"
"""Smallest share of its trailing average a day's transactions may fall to before the load stops, bank holidays
aside (read by the quality_limits resource)."""


def data_dir() -> Path:
    """Root of local state: landing files, the DuckDB warehouse, Dagster's home."""
    return Path(os.environ.get("RISKHUB_DATA_DIR", "data")).resolve()


def landing_dir() -> Path:
    """Folder holding one sub-folder of landing CSVs per business day."""
    return Path(os.environ.get("RISKHUB_LANDING_DIR", data_dir() / "landing")).resolve()


def reference_dir() -> Path:
    """Folder of the bank's code lists (currencies, channels, products...): RiskHub's default example unless set."""
    return Path(os.environ.get("RISKHUB_REFERENCE_DIR", DEFAULT_REFERENCE_DIR)).resolve()


def mapping_dir() -> Path | None:
    """Folder of the bank's mapping files (one `<landing file>.toml` per file of its export); None when the landing
    files follow the contract as is."""
    folder = os.environ.get("RISKHUB_MAPPING_DIR")
    return Path(folder).resolve() if folder else None


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


class SettingError(ValueError):
    """A setting, or what was asked of it, RiskHub cannot use; the message names the variable that fixes it."""


def landing_days(folder: Path | None = None) -> list[dt.date]:
    """The business days of the landing zone's YYYY-MM-DD folders (RISKHUB_LANDING_DIR unless given), in order."""
    folder = folder or landing_dir()
    days = [_day(p.name) for p in folder.iterdir() if p.is_dir()] if folder.is_dir() else []
    return sorted(d for d in days if d is not None)


def first_landing_day() -> dt.date | None:
    """The earliest day folder of the landing zone: where the bank's history starts (None when there is none)."""
    return next(iter(landing_days()), None)


def _day(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(name) if len(name) == 10 else None
    except ValueError:
        return None


def partitions_start() -> str:
    """First business day the daily partitions cover: RISKHUB_PARTITIONS_START, else the landing zone's first day
    folder, else 2024-01-01."""
    value = os.environ.get(PARTITIONS_START_VAR)
    if not value:
        first = first_landing_day()
        return first.isoformat() if first else DEFAULT_PARTITIONS_START
    if _day(value) is None:
        raise SettingError(f"{PARTITIONS_START_VAR} is {value!r}: expected the first business day as YYYY-MM-DD")
    return value


def environment() -> str:
    """Which deployment this is (RISKHUB_ENV): local (the default), or production, which refuses the development key."""
    name = os.environ.get("RISKHUB_ENV", "local")
    if name not in ENVIRONMENTS:
        raise SettingError(f"RISKHUB_ENV is {name!r}: expected one of {', '.join(ENVIRONMENTS)}")
    return name


def mlflow_tracking_uri() -> str:
    """MLflow tracking and registry from RISKHUB_MLFLOW_TRACKING_URI, else a local SQLite store under the data folder.

    Not MLFLOW_TRACKING_URI: MLflow itself rewrites that variable whenever a tracking URI is set in the process.
    """
    return os.environ.get("RISKHUB_MLFLOW_TRACKING_URI") or f"sqlite:///{data_dir() / 'mlflow.db'}"


def min_training_events() -> int:
    """Clients with the outcome (and without) a model must learn from, and be validated on, before it may be champion."""
    value = os.environ.get(MIN_TRAINING_EVENTS_VAR, str(DEFAULT_MIN_TRAINING_EVENTS))
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{MIN_TRAINING_EVENTS_VAR} is {value!r}: expected a whole number of events, at least 1")
    return int(value)


def duckdb_memory_limit() -> str:
    """DuckDB's memory cap, beyond which it spills to disk."""
    return os.environ.get("RISKHUB_DUCKDB_MEMORY_LIMIT", "1GB")


def duckdb_threads() -> int:
    """Threads DuckDB may use: all cores unless RISKHUB_DUCKDB_THREADS says fewer."""
    return int(os.environ.get("RISKHUB_DUCKDB_THREADS", os.cpu_count() or 2))
