"""Small pieces of SQL text shared by every stage: string literals, table comments and runs of days."""

import datetime as dt

import duckdb

from riskhub_assets.tables.spec import Table


def literal(text: str) -> str:
    """A SQL string literal of the text, quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


def identifier(name: str) -> str:
    """A SQL quoted identifier of the name, double quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every calendar day from start to end, both included."""
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def describe(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Give a stored table its declared description and column meanings, as BI tools show them."""
    con.execute(f"COMMENT ON TABLE {table.name} IS {literal(table.description)}")
    stored = {name for (name,) in con.execute(f"SELECT column_name FROM (DESCRIBE {table.name})").fetchall()}
    for column in table.columns:
        if column.meaning and column.name in stored:
            con.execute(f"COMMENT ON COLUMN {table.name}.{identifier(column.name)} IS {literal(column.meaning)}")
