"""CSV files a spreadsheet opens as data, never as formulas (CSV injection, OWASP): a text cell that starts like a
formula (=, +, -, @, tab or carriage return) is written with a single quote before it, which spreadsheets show as
text; numbers, and text that is only a number (a client's "-12.50"), stay as they are."""

import re

import duckdb
import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"
"""Text that is only a number: a spreadsheet reads it as that number, which no formula can hide in."""


def neutralised(value: str) -> str:
    """A text cell as a spreadsheet must read it: prefixed with ' when it would start a formula."""
    if value.startswith(FORMULA_STARTS) and not re.fullmatch(PLAIN_NUMBER, value):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV text (no index), its text cells neutralised and its number columns untouched."""
    safe = frame.copy()
    for column in safe.columns:
        if pd.api.types.is_object_dtype(safe[column]) or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(lambda v: neutralised(v) if isinstance(v, str) else v)
    return safe.to_csv(index=False)


def safe_select(con: duckdb.DuckDBPyConnection, select: str) -> str:
    """A query giving `select`'s rows with every text column's cells neutralised, for DuckDB's COPY ... TO a CSV."""
    starts = ", ".join(f"chr({ord(c)})" for c in FORMULA_STARTS)
    columns = []
    for name, kind, *_ in con.execute(f"DESCRIBE {select}").fetchall():
        quoted = '"' + name.replace('"', '""') + '"'
        if kind == "VARCHAR":
            formula = f"left({quoted}, 1) IN ({starts}) AND NOT regexp_full_match({quoted}, '{PLAIN_NUMBER}')"
            quoted = f"CASE WHEN {formula} THEN '''' || {quoted} ELSE {quoted} END AS {quoted}"
        columns.append(quoted)
    return f"SELECT {', '.join(columns)} FROM ({select})"
