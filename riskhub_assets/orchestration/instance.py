"""The settings RiskHub's Dagster instance (data/dagster/dagster.yaml) needs: one DuckDB writer, recovery after crashes."""

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
    """Write RiskHub's settings into a Dagster instance file, new or existing, keeping what a user set there; return
    the keys it added (none when it was up to date)."""
    current = (yaml.safe_load(config.read_text()) if config.exists() else None) or {}
    if not isinstance(current, dict):
        raise SettingError(
            f"{config} is not a YAML mapping of Dagster instance settings: fix or delete it (DAGSTER_HOME)"
        )
    added = add_missing(current, RISKHUB_SETTINGS)
    if added:
        config.write_text(HEADER + yaml.safe_dump(current, sort_keys=False))
    return added
