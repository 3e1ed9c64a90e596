"""Profiling a landing folder against the bank's mapping and the contract, before anything is written.

The real raw load and cleaning run in an in-memory DuckDB, in the pipeline's order, so what the check reports is
what a run would load, quarantine and why; the warehouse is not opened.
"""

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from riskhub_assets.lib.cleaning import CleanResult, clean_range
from riskhub_assets.lib.cleaning_specs import CLEANING_SPECS
from riskhub_assets.lib.contract import LANDING_FILES, LandingFile
from riskhub_assets.lib.ingest import LandingError, landing_file, load_raw_day, raw_table_ddl
from riskhub_assets.lib.mapping import SourceMapping, load_mappings
from riskhub_assets.lib.reference import DEFAULT_DIR, load_all_references
from riskhub_assets.lib.sqltext import identifier

TOP_REASONS = 3


@dataclass(frozen=True)
class ColumnProfile:
    """One contract column over the days checked: where it comes from, how often it is filled, why rows fail on it."""

    name: str
    source: str
    filled: int
    quarantined: int
    reasons: list[tuple[str, int]]


@dataclass
class FileProfile:
    """One landing file over the days checked: what would load, what would be quarantined and why."""

    landing: LandingFile
    file: str
    landed: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)
    cleaned: CleanResult | None = None
    columns: list[ColumnProfile] = field(default_factory=list)

    @property
    def quarantined(self) -> int:
        """Rows that would be quarantined: invalid records and unparseable lines."""
        return self.cleaned.quarantined + self.cleaned.parse_rejects if self.cleaned else 0

    def failures(self, max_quarantine_rate: float) -> list[str]:
        """Why a run would fail on this file: unreadable days, too many quarantined rows, or nothing loading."""
        failures = list(self.errors)
        rows = self.landed + self.rejected
        if rows and self.quarantined / rows > max_quarantine_rate:
            failures.append(
                f"{self.file}: {self.quarantined / rows:.1%} of rows would be quarantined"
                f" (over {max_quarantine_rate:.0%}): {_reasons_text(list(self.cleaned.reasons.items()))}"
            )
        elif rows and self.cleaned and self.cleaned.clean_rows == 0:
            failures.append(f"{self.file}: {rows} rows landed but none would load")
        return failures


def _as_date(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(name)
    except ValueError:
        return None


def landing_days(path: Path) -> tuple[Path, list[dt.date]]:
    """The landing root and business days PATH covers: a day folder (YYYY-MM-DD), or a root of day folders."""
    if not path.is_dir():
        raise LandingError(f"{path} is not a folder: give a day folder (YYYY-MM-DD) or the landing root")
    day = _as_date(path.name)
    if day:
        return path.parent, [day]
    days = sorted(d for d in (_as_date(p.name) for p in path.iterdir() if p.is_dir()) if d)
    if not days:
        raise LandingError(f"{path} holds no day folder named YYYY-MM-DD: give a day folder or the landing root")
    return path, days


def _source(name: str, mapping: SourceMapping | None) -> str:
    if mapping is None:
        return name
    if name in mapping.constants:
        return f"constant {mapping.constants[name]!r}"
    return mapping.columns.get(name, "(not sent)")


def _column_reasons(con: duckdb.DuckDBPyConnection, spec: LandingFile, name: str) -> list[tuple[str, int]]:
    """Quarantine reasons of the days checked that concern this column, most frequent first."""
    return con.execute(
        f"SELECT r, count(*) FROM (SELECT unnest(string_split(reason, '; ')) AS r FROM clean.{spec.name}_quarantine)"
        " WHERE regexp_matches(regexp_replace(r, ': .*$', ''), $pattern) GROUP BY r ORDER BY 2 DESC, r",
        {"pattern": f"(^|[^a-z_]){name}($|[^a-z_])"},
    ).fetchall()


def _column_profiles(con, spec: LandingFile, mapping: SourceMapping | None) -> list[ColumnProfile]:
    profiles = []
    for column in spec.columns:
        reasons = _column_reasons(con, spec, column.name)
        filled = con.execute(f"SELECT count(nullif(trim({identifier(column.name)}), '')) FROM raw.{spec.name}")
        profiles.append(
            ColumnProfile(
                name=column.name,
                source=_source(column.name, mapping),
                filled=filled.fetchone()[0],
                quarantined=sum(count for _, count in reasons),
                reasons=reasons[:TOP_REASONS],
            )
        )
    return profiles


def profile_file(
    con: duckdb.DuckDBPyConnection, spec: LandingFile, root: Path, days: list[dt.date], mapping: SourceMapping | None
) -> FileProfile:
    """Load a landing file's days into raw and clean them as the pipeline would, and profile what happened."""
    profile = FileProfile(landing=spec, file=mapping.file if mapping else spec.filename)
    for ddl in raw_table_ddl(spec):
        con.execute(ddl)
    for day in days:
        try:
            load = load_raw_day(con, spec, landing_file(root, day, spec, mapping), day, mapping)
        except LandingError as error:
            profile.errors.append(str(error))
            continue
        profile.landed, profile.rejected = profile.landed + load.rows, profile.rejected + load.rejected
    profile.cleaned = clean_range(con, CLEANING_SPECS[spec.name], days[0], days[-1], os.urandom(32))
    profile.columns = _column_profiles(con, spec, mapping)
    return profile


def check_landing(path: Path, mapping_dir: Path | None, reference_dir: Path = DEFAULT_DIR) -> list[FileProfile]:
    """Profile every landing file of the folder's days through the mapping against the bank's code lists, in the
    pipeline's order; writes nothing."""
    mappings = load_mappings(mapping_dir)
    root, days = landing_days(path)
    with duckdb.connect() as con:
        load_all_references(con, reference_dir)
        return [profile_file(con, spec, root, days, mappings.get(spec.name)) for spec in LANDING_FILES]


def _reasons_text(reasons: list[tuple[str, int]]) -> str:
    return "; ".join(f"{reason} ({count:,})" for reason, count in reasons[:TOP_REASONS])


def render_file(profile: FileProfile) -> list[str]:
    """The lines printed for one file: its totals, then one line per column."""
    cleaned = profile.cleaned
    lines = [
        f"{profile.landing.name} <- {profile.file}: {profile.landed + profile.rejected:,} rows landed"
        f" ({profile.rejected:,} unparseable) -> {cleaned.clean_rows:,} would load, {profile.quarantined:,}"
        f" quarantined, {cleaned.duplicates_removed:,} exact duplicates removed"
    ]
    lines += [f"  ERROR {error}" for error in profile.errors]
    if cleaned.reasons:
        lines.append(f"  top reasons: {_reasons_text(list(cleaned.reasons.items()))}")
    width = max(len(c.source) for c in profile.columns)
    for column in profile.columns:
        lines.append(
            f"  {column.name:<24} from {column.source:<{width}}  filled {column.filled:>9,}"
            f"  quarantined {column.quarantined:>7,}  {_reasons_text(column.reasons)}".rstrip()
        )
    return lines
