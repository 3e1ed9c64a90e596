"""The settings RiskHub's Dagster instance (data/dagster/dagster.yaml) needs: one DuckDB writer, recovery after crashes,
and its storage on Postgres when one is configured."""

import os
from collections.abc import Mapping
from pathlib import Path

import yaml

from riskhub_assets.lib.settings import SettingError

HEADER = """\
# Dagster instance settings. `riskhub` adds the ones it needs when they are missing and keeps everything else.
# concurrency: every asset that writes the DuckDB file is in the pool "duckdb_writer"; DuckDB allows one writing
#   process per file, so those steps run one at a time.
# run_monitoring + run_launcher: every 30 s the daemon fails a run whose process died (kill -9, out of memory, power
#   loss) and, 10 s after a run ends, frees the pool slots it still held, so the next runs (the nightly schedule's
#   too) are not blocked by a dead run (README.md, "After a crash").
# storage (only when RISKHUB_DAGSTER_POSTGRES_URL or DAGSTER_PG_HOST is set): run history, event log and schedule
#   ticks in Postgres; the connection is read from those environment variables when Dagster starts, never stored here
#   (README.md, "Dagster on Postgres"). Without it, Dagster keeps them in SQLite files beside this one.
"""
RISKHUB_SETTINGS = {
    "concurrency": {"pools": {"default_limit": 1}},
    "run_launcher": {"module": "riskhub_assets.orchestration.launcher", "class": "RiskHubRunLauncher"},
    "run_monitoring": {
        "enabled": True,
        "poll_interval_seconds": 30,
        "start_timeout_seconds": 180,
        "cancel_timeout_seconds": 180,
        "free_slots_after_run_end_seconds": 10,
    },
    "telemetry": {"enabled": False},
}
"""What RiskHub sets in the instance; a key a user set otherwise keeps the user's value."""
POSTGRES_URL_VAR = "RISKHUB_DAGSTER_POSTGRES_URL"
"""The URL (with its password) of the database holding Dagster's runs, event log and schedule ticks."""
POSTGRES_DRIVER = "postgresql+psycopg2"
"""The driver dagster-postgres works with: SQLAlchemy 2.1 reads a bare postgresql:// URL as psycopg 3, which it does
not support (its NOTIFY statements fail)."""
POSTGRES_VARS = {
    "hostname": "DAGSTER_PG_HOST",
    "username": "DAGSTER_PG_USERNAME",
    "password": "DAGSTER_PG_PASSWORD",
    "db_name": "DAGSTER_PG_DB",
}
"""Dagster's conventional variables for the same database given part by part (DAGSTER_PG_PORT optional, 5432)."""
POSTGRES_PORT_VAR = "DAGSTER_PG_PORT"
STORAGE_KEYS = ("storage", "run_storage", "event_log_storage", "schedule_storage")
"""Where an instance file sets Dagster's storage: one that sets any of them chose its storage itself."""


def storage_settings(environ: Mapping[str, str] = os.environ) -> dict:
    """Dagster's storage on Postgres when it is configured, naming the environment variables it reads when Dagster
    starts (so no secret is written to a file); empty when not configured (SQLite files in DAGSTER_HOME)."""
    if environ.get(POSTGRES_URL_VAR):
        scheme = environ[POSTGRES_URL_VAR].partition("://")[0]
        if scheme != POSTGRES_DRIVER:
            raise SettingError(
                f"{POSTGRES_URL_VAR} starts with {scheme}:// but Dagster's Postgres storage needs the psycopg2 driver:"
                f" write it {POSTGRES_DRIVER}://user:password@host:5432/database"
            )
        return {"storage": {"postgres": {"postgres_url": {"env": POSTGRES_URL_VAR}}}}
    if not environ.get(POSTGRES_VARS["hostname"]):
        return {}
    missing = [variable for variable in POSTGRES_VARS.values() if not environ.get(variable)]
    if missing:
        raise SettingError(
            f"{POSTGRES_VARS['hostname']} is set but {', '.join(missing)} not: set them to put Dagster's run history"
            f" on Postgres (or set {POSTGRES_URL_VAR} alone), or unset {POSTGRES_VARS['hostname']} to keep SQLite"
        )
    database = {key: {"env": variable} for key, variable in POSTGRES_VARS.items()} | {"scheme": POSTGRES_DRIVER}
    if environ.get(POSTGRES_PORT_VAR):
        database["port"] = {"env": POSTGRES_PORT_VAR}
    return {"storage": {"postgres": {"postgres_db": database}}}


def environment_variables(setting) -> list[str]:
    """The environment variables a Dagster setting reads (its `env:` entries), at any depth."""
    if isinstance(setting, dict):
        if set(setting) == {"env"}:
            return [setting["env"]]
        return [variable for value in setting.values() for variable in environment_variables(value)]
    return []


def add_missing(settings: dict, defaults: dict, prefix: str = "") -> list[str]:
    """Add to `settings` (in place) every key of `defaults` it lacks, at any depth; return the keys added."""
    added = []
    for key, value in defaults.items():
        if key not in settings:
            settings[key] = value
            added.append(prefix + key)
        elif isinstance(value, dict) and isinstance(settings[key], dict):
            added += add_missing(settings[key], value, f"{prefix}{key}.")
    return added


def ensure_instance_settings(config: Path) -> list[str]:
    """Write RiskHub's settings (Postgres storage when configured) into a Dagster instance file, new or existing,
    keeping what a user set there; return the keys it added (none when it was up to date)."""
    current = (yaml.safe_load(config.read_text()) if config.exists() else None) or {}
    if not isinstance(current, dict):
        raise SettingError(
            f"{config} is not a YAML mapping of Dagster instance settings: fix or delete it (DAGSTER_HOME)"
        )
    chosen = any(key in current for key in STORAGE_KEYS)
    added = add_missing(current, RISKHUB_SETTINGS if chosen else {**RISKHUB_SETTINGS, **storage_settings()})
    storage = {key: current[key] for key in STORAGE_KEYS if key in current}
    unset = [variable for variable in environment_variables(storage) if not os.environ.get(variable)]
    if unset:
        raise SettingError(
            f"{config} keeps Dagster's run history in the database {', '.join(unset)} points to, which is not set:"
            " set it, or remove the file's `storage` block to keep the history in SQLite beside it"
        )
    if added:
        config.write_text(HEADER + yaml.safe_dump(current, sort_keys=False))
    return added
