"""Reference data the bank owns: code lists as versioned CSV files in a reference folder (the defaults ship here)."""

import csv
import hashlib
from pathlib import Path

import duckdb

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "reference_data"
"""The code lists RiskHub ships as the default example; a bank points RISKHUB_REFERENCE_DIR at its own copy."""


class ReferenceError(Exception):
    """A reference file is missing or malformed; the code lists cannot be loaded."""


def file_version(path: Path) -> str:
    """The version of a reference file: the start of its content's SHA-256, so any change shows."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _checked_path(folder: Path, name: str, header: list[str]) -> Path:
    """The reference file of a code list, refused with the fix when missing or when its header differs."""
    path = folder / f"{name}.csv"
    if not path.is_file():
        raise ReferenceError(
            f"reference file missing: {path} (set RISKHUB_REFERENCE_DIR to a folder holding {name}.csv, or copy"
            f" the default from {DEFAULT_DIR / path.name})"
        )
    with path.open(newline="", encoding="utf-8-sig") as f:
        found = next(csv.reader(f), [])
    if [c.strip() for c in found] != header:
        raise ReferenceError(f"wrong header in {path}: expected {','.join(header)}; got {','.join(found)!r}")
    return path


def load_reference(con: duckdb.DuckDBPyConnection, name: str, header: list[str], folder: Path) -> str:
    """Replace table reference.<name> by the folder's <name>.csv (codes trimmed); the version loaded."""
    path = _checked_path(folder, name, header)
    columns = ", ".join(f"'{c}': 'VARCHAR'" for c in header)
    trimmed = ", ".join(f'nullif(trim("{c}"), \'\') AS "{c}"' for c in header)
    version = file_version(path)
    con.execute("CREATE SCHEMA IF NOT EXISTS reference")
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE reference.{name} AS SELECT {trimmed}, $version AS _version FROM read_csv($path,"
            f" header=true, columns={{{columns}}}, auto_detect=false, delim=',', quote='\"', strict_mode=true)",
            {"path": str(path), "version": version},
        )
    except duckdb.Error as error:
        raise ReferenceError(f"{path} does not parse as {','.join(header)}: {str(error).splitlines()[0]}") from error
    clashes = con.execute(
        f"SELECT string_agg(code, ', ') FROM (SELECT lower(code) AS code FROM reference.{name}"
        " GROUP BY 1 HAVING count(*) > 1)"
    ).fetchall()[0][0]
    if clashes:
        raise ReferenceError(f"codes listed twice in {path} (codes are matched ignoring case): {clashes}")
    if "reporting" in header:
        _one_reporting_currency(con, name, path)
    return version


def _one_reporting_currency(con: duckdb.DuckDBPyConnection, name: str, path: Path) -> None:
    """Refuse a currency list that does not mark exactly one reporting currency: amounts convert into it."""
    marked = con.execute(f"SELECT list(code) FROM reference.{name} WHERE reporting = '1'").fetchall()[0][0] or []
    if len(marked) != 1:
        raise ReferenceError(
            f"{path} must mark exactly one reporting currency (reporting = 1), the one amounts are converted into;"
            f" it marks {len(marked)}: {', '.join(marked) or 'none'}"
        )


def default_codes(name: str) -> dict[str, dict[str, str]]:
    """A default code list, code -> its row: what the simulated bank uses and the docs show as the example."""
    with (DEFAULT_DIR / f"{name}.csv").open(newline="", encoding="utf-8") as f:
        return {row["code"]: row for row in csv.DictReader(f)}


def load_all_references(con: duckdb.DuckDBPyConnection, folder: Path = DEFAULT_DIR) -> None:
    """Load every declared code list from a reference folder, as the reference assets do one by one."""
    from riskhub_assets.tables import tables_in
    from riskhub_assets.tables.reference import header

    for declared in tables_in("reference"):
        load_reference(con, declared.short_name, header(declared), folder)
