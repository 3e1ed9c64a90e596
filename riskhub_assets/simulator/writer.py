"""Writing a day's frames as CSV files in the landing contract's exact format, through DuckDB."""

import datetime
import pathlib

import duckdb
import pandas as pd

from riskhub_assets.lib.cleaning import CLEAN_TYPES
from riskhub_assets.lib.contract import LandingFile
from riskhub_assets.lib.sqltext import literal

ID_FORMATS = {
    "client_id": "C%07d",
    "account_id": "A%09d",
    "transaction_id": "T%012d",
    "event_id": "E%011d",
    "manager_id": "M%05d",
    "agency_id": "B%04d",
    "holding_id": "H%010d",
    "facility_id": "F%09d",
}
"""How each bank-internal number is spelled as an identifier."""


def value_sql(name: str, kind: str, day: datetime.date) -> str:
    """SQL spelling a frame column as the contract writes it (identifiers, ISO dates and timestamps, 2 decimals)."""
    column = f'"{name}"'
    if name in ID_FORMATS:
        return f"printf('{ID_FORMATS[name]}', {column})"
    if kind == "timestamp":
        return f"strftime(TIMESTAMP '{day.isoformat()}' + to_seconds({column}), '%Y-%m-%dT%H:%M:%S')"
    if kind == "date":
        return f"CAST({column} AS DATE)"
    if kind in ("decimal", "rate"):
        return f"CAST({column} AS {CLEAN_TYPES[kind]})"
    return column


def copy_csv(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, select: str, path: pathlib.Path, delimiter: str = ","
) -> None:
    """Write the select list over the frame as a UTF-8 CSV file with a header row."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con.register("frame", frame)
    con.execute(f"COPY (SELECT {select} FROM frame) TO {literal(str(path))} (HEADER, DELIMITER {literal(delimiter)})")
    con.unregister("frame")


def write(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, columns: dict[str, str], day: datetime.date, path: pathlib.Path
) -> None:
    """Write the frame's named columns, typed as given (contract types), in that order with a header row."""
    copy_csv(con, frame, ", ".join(f'{value_sql(name, kind, day)} AS "{name}"' for name, kind in columns.items()), path)


def write_landing(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, landing: LandingFile, day: datetime.date, folder: pathlib.Path
) -> pathlib.Path:
    """Write one landing file of the contract; returns its path."""
    path = folder / landing.filename
    write(con, frame, {c.name: c.type for c in landing.columns}, day, path)
    return path
