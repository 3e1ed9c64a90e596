"""Export styles: the same simulated bank written as the contract says, or as a foreign bank's export would be."""

import datetime
import pathlib
import shutil

import duckdb
import pandas as pd

from riskhub_assets.lib.contract import Column
from riskhub_assets.lib.mapping import SourceMapping, load_mappings
from riskhub_assets.lib.sqltext import identifier, literal
from riskhub_assets.simulator.writer import copy_csv, value_sql

STYLES = ("canonical", "foreign")
"""canonical = the landing contract as is; foreign = a foreign bank's export (own file and column names, `;`, decimal
comma, Latin-1, dd.mm.yyyy dates, date-only bookings, local-language codes, euro accounts booked in Czech koruna with
FX rates, accounts as change records with balances in their own file, no relationship-manager file, loans with
statuses instead of default events), loaded through its mapping files."""
LOCAL_CURRENCY = {"canonical": "EUR", "foreign": "CZK"}
"""The currency each style books the bank's euro accounts in."""
ACCOUNTS = {"canonical": "snapshot", "foreign": "changes"}
"""How each style sends accounts unless told otherwise (simulator ACCOUNT_STYLES)."""
UNSENT_EVENTS = {"canonical": (), "foreign": ("default",)}
"""Event types a style does not send: the foreign bank tells defaults through its loans' statuses only."""
STYLES_DIR = pathlib.Path(__file__).parent / "styles"


def style_mappings(style: str) -> dict[str, SourceMapping]:
    """The mapping of each landing file in an export style (shipped under simulator/styles/); none for canonical."""
    return {} if style == "canonical" else load_mappings(STYLES_DIR / style)


def copy_style_mappings(style: str, folder: pathlib.Path) -> None:
    """Put the style's mapping files in `folder`, where RISKHUB_MAPPING_DIR or `--mapping` can point."""
    if style != "canonical":
        folder.mkdir(parents=True, exist_ok=True)
        for source in (STYLES_DIR / style).glob("*.toml"):
            shutil.copyfile(source, folder / source.name)


def bank_value_sql(canonical: str, column: Column, mapping: SourceMapping) -> str:
    """SQL spelling a contract value as the bank's export does: the mapping read backwards."""
    if column.type == "date" and mapping.date_formats:
        value = f"strftime(CAST({canonical} AS DATE), {literal(mapping.date_formats[0])})"
    elif column.type == "timestamp" and mapping.timestamp_formats:
        value = f"strftime(CAST({canonical} AS TIMESTAMP), {literal(mapping.timestamp_formats[0])})"
    elif column.type in ("decimal", "rate"):
        value = f"replace(CAST({canonical} AS VARCHAR), '.', {literal(mapping.decimal)})"
    else:
        value = f"CAST({canonical} AS VARCHAR)"
    codes = mapping.codes.get(column.name)
    if codes:
        back = " ".join(f"WHEN {literal(ours)} THEN {literal(bank)}" for bank, ours in codes.items())
        value = f"CASE {value} {back} ELSE {value} END"
    return value


def write_styled(
    con: duckdb.DuckDBPyConnection,
    frame: pd.DataFrame,
    mapping: SourceMapping,
    day: datetime.date,
    folder: pathlib.Path,
) -> pathlib.Path:
    """Write one landing file as the bank's export: its file and column names, delimiter, formats, codes, encoding."""
    path = folder / mapping.file
    columns = {c.name: c for c in mapping.landing.columns}
    select = ", ".join(
        f"{bank_value_sql(value_sql(name, columns[name].type, day), columns[name], mapping)} AS {identifier(bank)}"
        for name, bank in mapping.columns.items()
    )
    copy_csv(con, frame, select, path, mapping.delimiter)
    path.write_bytes(path.read_text(encoding="utf-8").encode(mapping.encoding))
    return path
