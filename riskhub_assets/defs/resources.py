"""Resources, configured once from the environment: the DuckDB warehouse and the landing zone."""

import os

import dagster as dg
from dagster_duckdb import DuckDBResource

from riskhub_assets.lib import settings

class LandingZone(dg.ConfigurableResource):
    """Folder where producers drop one sub-folder of contract CSVs per business day."""

    path: str


def duckdb_config() -> dict:
    """DuckDB settings: memory cap (spills to disk beyond it) and threads, overridable by environment."""
    return {
        "memory_limit": os.environ.get("RISKHUB_DUCKDB_MEMORY_LIMIT", "1GB"),
        "threads": int(os.environ.get("RISKHUB_DUCKDB_THREADS", os.cpu_count() or 2)),
        "preserve_insertion_order": True,
    }


def build_resources() -> dict:
    """The resources for the current environment (local defaults, production via RISKHUB_* variables)."""
    database = str(settings.duckdb_path())
    settings.duckdb_path().parent.mkdir(parents=True, exist_ok=True)
    return {
        "duckdb": DuckDBResource(database=database, connection_config=duckdb_config()),
        "landing": LandingZone(path=str(settings.landing_dir())),
    }
