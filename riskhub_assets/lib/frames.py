"""Writing pandas frames into DuckDB tables, partition by partition."""

import datetime as dt

import duckdb
import pandas as pd


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
