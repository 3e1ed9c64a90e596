"""KPI marts for BI: business days of each mart declared in riskhub_assets/tables/marts.py, built by its SQL file."""

import datetime as dt

import duckdb

from riskhub_assets.lib.frames import ensure_table
from riskhub_assets.lib.sql_files import read_sql
from riskhub_assets.tables.spec import Table


def load_mart(con: duckdb.DuckDBPyConnection, mart: Table, start: dt.date, end: dt.date) -> None:
    """Replace business days start..end of a mart by its SELECT (lib/sql/marts/<mart>.sql), columns in declared order."""
    ensure_table(con, mart.name, mart.ddl_columns)
    window = {"start": start, "end": end}
    con.execute(f"DELETE FROM {mart.name} WHERE {mart.partition_column} BETWEEN $start AND $end", window)
    con.execute(f"INSERT INTO {mart.name} {read_sql('marts', mart.short_name)}", window)
