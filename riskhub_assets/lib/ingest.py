"""Loading landing CSVs as landed into raw tables, with parse rejects kept and reasons stated."""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from riskhub_assets.lib.contract import LandingFile
from riskhub_assets.lib.sqltext import days

LOADS = "raw.landing_loads"
"""Every day of a landing file loaded, with its row count even when it had none: how recent each file is."""


class LandingError(Exception):
    """A landing file is missing or does not follow the contract; the day cannot be loaded."""


@dataclass(frozen=True)
class RawLoad:
    """What one day's file gave: rows loaded and lines rejected as unparseable."""

    day: dt.date
    path: Path
    rows: int
    rejected: int


def landing_file(landing_dir: Path, day: dt.date, spec: LandingFile) -> Path:
    """Path of a day's landing file: <landing>/YYYY-MM-DD/<name>.csv."""
    return landing_dir / day.isoformat() / spec.filename


def check_header(path: Path, spec: LandingFile) -> None:
    """Refuse a missing file or one whose header is not the contract's, naming what differs."""
    if not path.is_file():
        raise LandingError(
            f"landing file missing: {path}: every day folder of the landing zone (RISKHUB_LANDING_DIR) needs"
            f" {spec.filename}, with its header line alone on a day without records (see docs/landing_contract.md)"
        )
    with path.open("rb") as f:
        first = f.readline().decode("utf-8-sig", errors="replace").strip()
    header = [c.strip().strip('"') for c in first.split(",")]
    if header != spec.header:
        missing = [c for c in spec.header if c not in header]
        extra = [c for c in header if c not in spec.header]
        raise LandingError(
            f"wrong header in {path}: expected {','.join(spec.header)}; got {first!r}"
            f" (missing: {missing or 'none'}, unexpected: {extra or 'none'}, order matters): write the contract's"
            " header line, see docs/landing_contract.md"
        )


def raw_table_ddl(spec: LandingFile) -> list[str]:
    """DDL for the raw table (every contract column as VARCHAR plus load metadata) and its rejects."""
    cols = ", ".join(f'"{c}" VARCHAR' for c in spec.header)
    return [
        "CREATE SCHEMA IF NOT EXISTS raw",
        f"CREATE TABLE IF NOT EXISTS raw.{spec.name} ({cols}, business_date DATE NOT NULL,"
        " _file VARCHAR NOT NULL, _row_number BIGINT NOT NULL, _loaded_at TIMESTAMP NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS raw.{spec.name}_rejects (business_date DATE NOT NULL, _file VARCHAR NOT NULL,"
        " _row_number BIGINT NOT NULL, error_type VARCHAR, reason VARCHAR, record VARCHAR, _loaded_at TIMESTAMP NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {LOADS} (landing_file VARCHAR NOT NULL, business_date DATE NOT NULL,"
        " _file VARCHAR NOT NULL, rows BIGINT NOT NULL, rejected BIGINT NOT NULL, _loaded_at TIMESTAMP NOT NULL)",
    ]


def _read_csv_sql(spec: LandingFile, rejects: str) -> str:
    columns = ", ".join(f"'{c}': 'VARCHAR'" for c in spec.header)
    return (
        f"read_csv($path, header=true, columns={{{columns}}}, auto_detect=false, delim=',', quote='\"',"
        f" escape='\"', strict_mode=true, store_rejects=true, rejects_table='{rejects}',"
        f" rejects_scan='{rejects}_scan')"
    )


def load_raw_day(con: duckdb.DuckDBPyConnection, spec: LandingFile, path: Path, day: dt.date) -> RawLoad:
    """Replace one business day of a raw table with the file's rows; unparseable lines go to its rejects table."""
    check_header(path, spec)
    rejects = f"rejects_{spec.name}"
    params = {"path": str(path), "day": day}
    cols = ", ".join(f'"{c}"' for c in spec.header)
    con.execute(f"DELETE FROM raw.{spec.name} WHERE business_date = $day", {"day": day})
    con.execute(f"DELETE FROM raw.{spec.name}_rejects WHERE business_date = $day", {"day": day})
    # DuckDB keeps file order (preserve_insertion_order), so row_number() over () is the record's ordinal.
    con.execute(
        f"INSERT INTO raw.{spec.name} SELECT {cols}, $day, $path, row_number() OVER () + 1, now()"
        f" FROM {_read_csv_sql(spec, rejects)}",
        params,
    )
    rejected = con.execute(f"SELECT count(DISTINCT line) FROM {rejects}").fetchone()[0]
    if rejected:
        _record_rejects(con, spec, rejects, params)
    con.execute(f"DROP TABLE IF EXISTS {rejects}; DROP TABLE IF EXISTS {rejects}_scan")
    rows = con.execute(f"SELECT count(*) FROM raw.{spec.name} WHERE business_date = $day", {"day": day}).fetchone()[0]
    load = {"name": spec.name, **params, "rows": rows, "rejected": rejected}
    con.execute(
        f"DELETE FROM {LOADS} WHERE landing_file = $name AND business_date = $day", {"name": spec.name, "day": day}
    )
    con.execute(f"INSERT INTO {LOADS} VALUES ($name, $day, $path, $rows, $rejected, now())", load)
    return RawLoad(day=day, path=path, rows=rows, rejected=rejected)


def _record_rejects(con: duckdb.DuckDBPyConnection, spec: LandingFile, rejects: str, params: dict) -> None:
    """Keep rejected lines with their line number and reason; shift accepted rows to their true line number."""
    con.execute(
        f"INSERT INTO raw.{spec.name}_rejects SELECT $day, $path, line, string_agg(DISTINCT error_type, '; '),"
        f" string_agg(DISTINCT error_type || ': ' || error_message, '; '), any_value(csv_line), now()"
        f" FROM {rejects} GROUP BY line",
        params,
    )
    # An accepted record's line is its ordinal + 1 (header) + the rejected lines that came before it.
    con.execute(
        f"""UPDATE raw.{spec.name} AS r SET _row_number = r._row_number + (
              SELECT count(*) FROM (SELECT line, row_number() OVER (ORDER BY line) AS j FROM (SELECT DISTINCT line FROM {rejects})) x
              WHERE x.line - 1 - x.j < r._row_number - 1)
            WHERE r.business_date = $day""",
        {"day": params["day"]},
    )


def load_raw_days(con: duckdb.DuckDBPyConnection, spec: LandingFile, landing_dir: Path, start: dt.date, end: dt.date):
    """Replace business days start..end of a raw table by each day's landing file; what each day's file gave."""
    for ddl in raw_table_ddl(spec):
        con.execute(ddl)
    return [load_raw_day(con, spec, landing_file(landing_dir, day, spec), day) for day in days(start, end)]
