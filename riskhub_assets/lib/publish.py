"""BI-safe publishing: a separate read-only DuckDB file, Parquet and CSV exports, each replaced atomically.

DuckDB allows one writer or many readers per file, never both. BI tools read the published copy, so a dashboard
that holds it open never blocks the pipeline, and the pipeline never changes a file under a reader: a new file
is written beside the old one and renamed over it (readers that had the old file open keep reading it).
"""

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from riskhub_assets.lib.contract import LANDING_FILES
from riskhub_assets.lib.marts import MARTS
from riskhub_assets.lib.sql_files import read_sql

BI_DATABASE = "riskhub_bi.duckdb"
EVERY_DAY = {"start": dt.date(1900, 1, 1), "end": dt.date(2999, 12, 31)}
ANOMALY_SAMPLE = 2000
"""Unflagged transactions per day kept in the BI anomaly view, as the background alerts are compared with."""


@dataclass(frozen=True)
class Published:
    """A table of the BI database: its name there, the SELECT over the warehouse, its partition column if daily.

    A daily table's SELECT reads only business days $start..$end; `parameters` are any other values it reads.
    """

    name: str
    select: str
    partition_column: str | None = None
    description: str = ""
    optional: bool = False  # left out, and listed as such, while its source table does not exist yet
    parameters: dict = field(default_factory=dict)


PUBLISHED = [
    *[
        Published(
            m.table,
            f"SELECT * FROM {m.table} WHERE {m.partition_column} BETWEEN $start AND $end",
            m.partition_column,
            m.description,
        )
        for m in MARTS
    ],
    Published(
        "scores.default_scores",
        "SELECT * FROM scores.default_scores WHERE as_of_date BETWEEN $start AND $end",
        "as_of_date",
        "Per client and day: probability of default, points, grade, reason codes, model version.",
    ),
    Published(
        "scores.churn_scores",
        "SELECT * FROM scores.churn_scores WHERE as_of_date BETWEEN $start AND $end",
        "as_of_date",
        "Per client and day: churn probability, risk band, decile, model version.",
    ),
    Published(
        "scores.anomaly_view",
        read_sql("publish", "scores_anomaly_view"),
        "transaction_date",
        "Per day: every transaction flagged for review, with its score and top contributing features, and a"
        f" fixed sample of {ANOMALY_SAMPLE:,} unflagged ones to compare with (flagged = false).",
        parameters={"anomaly_sample": ANOMALY_SAMPLE},
    ),
    Published(
        "dims.client",
        read_sql("publish", "dims_client"),
        description="Clients by client number with coarse attributes only: no names, contacts, birth dates or incomes.",
    ),
    Published(
        "dims.date", "SELECT * FROM warehouse.dim_date WHERE date BETWEEN DATE '2000-01-01' AND DATE '2050-12-31'"
    ),
    Published("dims.channel", "SELECT * FROM warehouse.dim_channel"),
    Published("dims.merchant_category", "SELECT * FROM warehouse.dim_merchant_category"),
    *[
        Published(
            f"scores.{table}",
            f"SELECT * FROM scores.{table} WHERE as_of_date BETWEEN $start AND $end",
            "as_of_date",
            description,
            optional=True,
        )
        for table, description in {
            "product_recommendations": "Per client and day: five next-best products with score, rank and reason.",
            "manager_performance": "Per relationship manager and day: predicted performance score of the month.",
            "agency_performance": "Per branch and day: predicted performance score of the month.",
            "churn_actions": "Per high-churn-risk client and day: the recommended intervention, its driver, the"
            " product to offer and the manager to act.",
        }.items()
    ],
    Published("dims.product", "SELECT * FROM warehouse.dim_product", optional=True),
    Published(
        "dims.manager",
        "SELECT manager_id, agency_id, hire_date, monthly_sales_objective, is_active FROM warehouse.dim_manager",
        description="Relationship managers by number, with branch and objective: no names.",
        optional=True,
    ),
    Published("dims.agency", "SELECT * FROM warehouse.dim_agency", optional=True),
    Published(
        "facts.product_holdings",
        "SELECT holding_id, client_id, product_code, adoption_date, closure_date, is_held, source_system"
        " FROM warehouse.fact_product_holdings",
        description="Every product holding, accounts included, with adoption and closure dates.",
        optional=True,
    ),
]
"""What BI may read: the KPI marts, the score tables, the day's alerts and dimensions without personal data."""


def _describe(con: duckdb.DuckDBPyConnection, table: Published) -> None:
    """Give the published table its description, and the source table's column descriptions where it has them."""
    if table.description:
        con.execute(f"COMMENT ON TABLE bi.{table.name} IS {_quote(table.description)}")
    schema, name = table.name.split(".")
    columns = con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = current_database()"
        " AND schema_name = ? AND table_name = ? AND comment IS NOT NULL AND comment <> ''",
        [schema, name],
    ).fetchall()
    for column, text in columns:
        con.execute(f"COMMENT ON COLUMN bi.{table.name}.{column} IS {_quote(text)}")


def _columns(con: duckdb.DuckDBPyConnection, relation: str, params: dict | None = None) -> list[tuple]:
    """Column names and types of a table or a query; empty when the table does not exist."""
    try:
        return con.execute(f"DESCRIBE SELECT * FROM {relation} LIMIT 0", params or {}).fetchall()
    except duckdb.CatalogException:
        return []


def _parameters(table: Published, days: dict = EVERY_DAY) -> dict:
    """Query parameters of a published table's SELECT: its own, and business days `days` for a daily table."""
    return {**days, **table.parameters} if table.partition_column else table.parameters


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


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
    missing = [t.name for t in PUBLISHED if t.optional and not _columns(con, f"({t.select})", _parameters(t))]
    publishing = [t for t in PUBLISHED if t.name not in missing]
    try:
        for table in publishing:
            name = f"bi.{table.name}"
            con.execute(f"CREATE SCHEMA IF NOT EXISTS bi.{table.name.split('.')[0]}")
            whole = table.partition_column is None or rebuild
            if whole or _columns(con, name) != _columns(con, f"({table.select})", _parameters(table)):
                con.execute(f"CREATE OR REPLACE TABLE {name} AS {table.select}", _parameters(table))  # or reshaped
            else:
                window = {"start": start, "end": end}
                con.execute(f"DELETE FROM {name} WHERE {table.partition_column} BETWEEN $start AND $end", window)
                con.execute(f"INSERT INTO {name} BY NAME {table.select}", _parameters(table, window))
            _describe(con, table)
        published = {t.name for t in publishing}
        for schema, name in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'bi'"
        ).fetchall():
            if f"{schema}.{name}" not in published:  # no longer published: it must not linger in the copy
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
    """Parquet of every mart (whole), and one CSV per mart and business day for tools that refresh from files."""
    written = []
    for mart in MARTS:
        parquet = directory / "parquet" / f"{mart.name}.parquet"
        parquet.parent.mkdir(parents=True, exist_ok=True)
        written.append(_copy_atomically(con, f"SELECT * FROM {mart.table} ORDER BY ALL", parquet, "(FORMAT parquet)"))
        day = start
        while day <= end:
            csv = directory / "csv" / mart.name / f"{mart.name}_{day.isoformat()}.csv"
            csv.parent.mkdir(parents=True, exist_ok=True)
            select = f"SELECT * FROM {mart.table} WHERE {mart.partition_column} = DATE '{day}' ORDER BY ALL"
            written.append(_copy_atomically(con, select, csv, "(FORMAT csv, HEADER)"))
            day += dt.timedelta(days=1)
    return written


def _copy_atomically(con: duckdb.DuckDBPyConnection, select: str, path: Path, options: str) -> Path:
    partial = path.with_name(f".{path.name}.partial")
    con.execute(f"COPY ({select}) TO '{partial}' {options}")
    os.replace(partial, path)
    return path


def personal_columns() -> set[str]:
    """Column names that carry personal data anywhere in RiskHub: the contract's personal fields and their pseudonyms."""
    names = {c.name for spec in LANDING_FILES for c in spec.columns if c.personal}
    return names | {f"{n}_pseudonym" for n in names} | {"annual_income"}  # income is sensitive too


def _personal_columns_in_bi(con: duckdb.DuckDBPyConnection) -> list[str]:
    columns = con.execute(
        "SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns() WHERE database_name = 'bi'"
    ).fetchall()
    return sorted(c for (c,) in columns if c.rsplit(".", 1)[1] in personal_columns())


def _unreconciled_in_bi(
    con: duckdb.DuckDBPyConnection, tables: list[Published], window: dict
) -> dict[str, tuple[int, int]]:
    differences = {}
    for table in (t for t in tables if t.partition_column):
        where = f"{table.partition_column} BETWEEN $start AND $end"
        published = con.execute(f"SELECT count(*) FROM bi.{table.name} WHERE {where}", window).fetchone()[0]
        source = con.execute(f"SELECT count(*) FROM ({table.select})", _parameters(table, window)).fetchone()[0]
        if published != source:
            differences[table.name] = (published, source)
    return differences
