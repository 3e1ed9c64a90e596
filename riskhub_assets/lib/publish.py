"""BI-safe publishing: a separate read-only DuckDB file, Parquet and CSV exports, each replaced atomically.

DuckDB allows one writer or many readers per file, never both. BI tools read the published copy, so a dashboard
that holds it open never blocks the pipeline, and the pipeline never changes a file under a reader: a new file
is written beside the old one and renamed over it (readers that had the old file open keep reading it).
"""

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from riskhub_assets.lib.spreadsheet import safe_select
from riskhub_assets.lib.sqltext import days, identifier, literal
from riskhub_assets.tables import Publish, personal_columns, published, registry, table

BI_DATABASE = "riskhub_bi.duckdb"
EVERY_DAY = {"start": dt.date(1900, 1, 1), "end": dt.date(2999, 12, 31)}


def _describe(con: duckdb.DuckDBPyConnection, publication: Publish) -> None:
    """Give the published table its description, and each column the meaning its declaration gives it: derived ones
    in the publication, the others in its source table (or a table it joins)."""
    name = f"bi.{publication.name}"
    if publication.description:
        con.execute(f"COMMENT ON TABLE {name} IS {literal(publication.description)}")
    meanings = {}
    for declared in (*reversed(publication.joined), publication.source):
        meanings.update(table(declared).meanings)
    meanings.update(publication.meanings)
    for (column,) in con.execute(f"SELECT column_name FROM (DESCRIBE {name})").fetchall():
        if meanings.get(column):
            con.execute(f"COMMENT ON COLUMN {name}.{identifier(column)} IS {literal(meanings[column])}")


def _columns(con: duckdb.DuckDBPyConnection, relation: str, params: dict | None = None) -> list[tuple]:
    """Column names and types of a table or a query; empty when the table does not exist."""
    try:
        return con.execute(f"DESCRIBE SELECT * FROM {relation} LIMIT 0", params or {}).fetchall()
    except duckdb.CatalogException:
        return []


def _parameters(publication: Publish, days: dict = EVERY_DAY) -> dict:
    """Query parameters of a published table's SELECT: its own, and business days `days` for a daily table."""
    return {**days, **publication.parameters} if publication.partition_column else publication.parameters


@dataclass(frozen=True)
class Publication:
    """The published file, and what the checks found in it before it replaced the previous one."""

    path: Path
    personal_columns: list[str]  # must be empty
    unreconciled: dict[str, tuple[int, int]]  # daily table -> (published rows, warehouse rows) for the run's days
    tables: list[tuple[str, int]]  # every published table and its row count
    missing: list[str]  # optional tables left out: their source does not exist yet


def publish_database(
    con: duckdb.DuckDBPyConnection, directory: Path, start: dt.date, end: dt.date, full: bool = False
) -> Publication:
    """Write the BI database with business days start..end refreshed (everything when new or `full`), then swap it in."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / BI_DATABASE
    partial = directory / f".{BI_DATABASE}.partial"
    wal = partial.with_name(partial.name + ".wal")
    partial.unlink(missing_ok=True)
    wal.unlink(missing_ok=True)  # left by a publish that was killed: it would not match the fresh copy
    rebuild = full or not target.exists()
    if not rebuild:
        shutil.copyfile(target, partial)
    con.execute(f"ATTACH '{partial}' AS bi")
    candidates = published()
    missing = [t.name for t in candidates if t.optional and not _columns(con, f"({t.select})", _parameters(t))]
    publishing = [t for t in candidates if t.name not in missing]
    try:
        for publication in publishing:
            name = f"bi.{publication.name}"
            con.execute(f"CREATE SCHEMA IF NOT EXISTS bi.{publication.name.split('.')[0]}")
            whole = publication.partition_column is None or rebuild
            if whole or _columns(con, name) != _columns(con, f"({publication.select})", _parameters(publication)):
                con.execute(f"CREATE OR REPLACE TABLE {name} AS {publication.select}", _parameters(publication))
            else:
                window = {"start": start, "end": end}
                con.execute(f"DELETE FROM {name} WHERE {publication.partition_column} BETWEEN $start AND $end", window)
                con.execute(f"INSERT INTO {name} BY NAME {publication.select}", _parameters(publication, window))
            _describe(con, publication)
        kept = {t.name for t in publishing}
        for schema, name in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'bi'"
        ).fetchall():
            if f"{schema}.{name}" not in kept:  # no longer published: it must not linger in the copy
                con.execute(f"DROP TABLE bi.{schema}.{name}")
        personal = _personal_columns_in_bi(con)
        unreconciled = _unreconciled_in_bi(con, publishing, {"start": start, "end": end})
        tables = [(t.name, con.execute(f"SELECT count(*) FROM bi.{t.name}").fetchone()[0]) for t in publishing]
    except BaseException:
        con.execute("DETACH bi")
        partial.unlink(missing_ok=True)
        wal.unlink(missing_ok=True)
        raise
    con.execute("DETACH bi")
    os.replace(partial, target)
    return Publication(target, personal, unreconciled, tables, missing)


def export_files(con: duckdb.DuckDBPyConnection, directory: Path, start: dt.date, end: dt.date) -> list[Path]:
    """Parquet of every mart (whole), and one CSV per mart and business day for tools that refresh from files (text
    that would start a spreadsheet formula written as text: see lib/spreadsheet.py)."""
    written = []
    for mart in (t for t in registry().values() if t.publish and t.publish.export):
        name = mart.short_name
        parquet = directory / "parquet" / f"{name}.parquet"
        parquet.parent.mkdir(parents=True, exist_ok=True)
        written.append(_copy_atomically(con, f"SELECT * FROM {mart.name} ORDER BY ALL", parquet, "(FORMAT parquet)"))
        for day in days(start, end):
            csv = directory / "csv" / name / f"{name}_{day.isoformat()}.csv"
            csv.parent.mkdir(parents=True, exist_ok=True)
            select = safe_select(con, f"SELECT * FROM {mart.name} WHERE {mart.partition_column} = DATE '{day}'")
            written.append(_copy_atomically(con, f"{select} ORDER BY ALL", csv, "(FORMAT csv, HEADER)"))
    return written


def _copy_atomically(con: duckdb.DuckDBPyConnection, select: str, path: Path, options: str) -> Path:
    partial = path.with_name(f".{path.name}.partial")
    con.execute(f"COPY ({select}) TO '{partial}' {options}")
    os.replace(partial, path)
    return path


def _personal_columns_in_bi(con: duckdb.DuckDBPyConnection) -> list[str]:
    columns = con.execute(
        "SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns() WHERE database_name = 'bi'"
    ).fetchall()
    return sorted(c for (c,) in columns if c.rsplit(".", 1)[1] in personal_columns())


def _unreconciled_in_bi(
    con: duckdb.DuckDBPyConnection, tables: list[Publish], window: dict
) -> dict[str, tuple[int, int]]:
    differences = {}
    for publication in (t for t in tables if t.partition_column):
        where = f"{publication.partition_column} BETWEEN $start AND $end"
        in_bi = con.execute(f"SELECT count(*) FROM bi.{publication.name} WHERE {where}", window).fetchone()[0]
        source = con.execute(f"SELECT count(*) FROM ({publication.select})", _parameters(publication, window))
        source = source.fetchone()[0]
        if in_bi != source:
            differences[publication.name] = (in_bi, source)
    return differences
