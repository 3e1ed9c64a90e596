"""A day loads whole or not at all: every required landing file of a run's days is there, every file's header right."""

import datetime as dt
from pathlib import Path

from riskhub_assets.lib.contract import LANDING_FILES
from riskhub_assets.lib.ingest import LandingError, check_header, landing_file, mapped_header
from riskhub_assets.lib.mapping import SourceMapping
from riskhub_assets.lib.sqltext import days


def incomplete_files(
    landing_dir: Path, start: dt.date, end: dt.date, mappings: dict[str, SourceMapping | None]
) -> list[str]:
    """Why each landing file of days start..end cannot load: a required file missing, or any file's header wrong."""
    problems = []
    for day in days(start, end):
        for spec in LANDING_FILES:
            mapping = mappings.get(spec.name)
            path = landing_file(landing_dir, day, spec, mapping)
            if spec.optional and not path.exists():
                continue
            try:
                mapped_header(path, mapping) if mapping else check_header(path, spec)
            except LandingError as error:
                problems.append(str(error))
    return problems


def require_complete_days(
    landing_dir: Path, start: dt.date, end: dt.date, mappings: dict[str, SourceMapping | None]
) -> None:
    """Refuse, before any file of the run is loaded, days whose landing files cannot all load, naming each file."""
    problems = incomplete_files(landing_dir, start, end, mappings)
    if problems:
        raise LandingError(
            f"business days {start}..{end} not loaded, no file of them (a day loads whole or not at all):"
            f" {len(problems)} landing file(s) cannot load: " + "; ".join(problems)
        )
