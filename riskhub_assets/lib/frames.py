"""Writing pandas frames into DuckDB tables, partition by partition, and shaping long rows into 0/1 matrices."""

import datetime as dt

import duckdb
import pandas as pd


class SchemaChanged(RuntimeError):
    """A stored table's columns differ from what this version of RiskHub writes."""


def ensure_table(con: duckdb.DuckDBPyConnection, table: str, columns: str) -> None:
    """Create a table with these columns, or fail clearly if it exists with other columns (an older schema)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {table.split('.')[0]}")
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
    stored = con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {table})").fetchall()
    con.execute(f"CREATE OR REPLACE TEMP TABLE _expected_schema ({columns})")
    expected = con.execute("SELECT column_name, column_type FROM (DESCRIBE _expected_schema)").fetchall()
    con.execute("DROP TABLE _expected_schema")
    if stored != expected:
        added = sorted({c for c, _ in expected} - {c for c, _ in stored})
        dropped = sorted({c for c, _ in stored} - {c for c, _ in expected})
        raise SchemaChanged(
            f"{table} was written by another version of RiskHub (new columns {added or 'none'}, removed "
            f"{dropped or 'none'}, or changed types). Rebuild it: DROP TABLE {table}; then materialise it again "
            "over its history."
        )


def replace_partition(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, column: str, start: dt.date, end: dt.date
) -> int:
    """Replace rows with `column` in start..end by the frame's rows (table created from the frame if new)."""
    schema = table.split(".")[0]
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    con.register("_frame", frame)
    try:
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM _frame LIMIT 0")
        con.execute(f"DELETE FROM {table} WHERE {column} BETWEEN $start AND $end", {"start": start, "end": end})
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _frame")
    finally:
        con.unregister("_frame")
    return len(frame)


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    """Replace a whole table by the frame."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {table.split('.')[0]}")
    con.register("_frame", frame)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _frame")
    finally:
        con.unregister("_frame")
    return len(frame)


def indicator_matrix(rows: pd.DataFrame, index: str, columns: str) -> pd.DataFrame:
    """1 where a row pairs the index value with the column value, else 0 (pd.crosstab clipped at 1, vectorised: the
    recommender builds these matrices dozens of times per training)."""
    return rows.groupby([index, columns]).size().unstack(fill_value=0).clip(upper=1)
