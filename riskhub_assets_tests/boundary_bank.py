"""A tiny bank at the landing contract's limits, built from the contract's declarations (columns, types, code lists,
cleaning rules) so that a column added to the contract is exercised without touching the tests."""

import datetime as dt
import zlib
from pathlib import Path

import duckdb
import pandas as pd

from riskhub_assets.lib.cleaning import column_reasons, day_expr, typed_expr
from riskhub_assets.lib.cleaning_specs import CLEANING_SPECS, CleaningSpec
from riskhub_assets.lib.contract import LANDING_FILES, Column, LandingFile
from riskhub_assets.lib.reference import default_codes, load_all_references
from riskhub_assets.lib.sqltext import literal
from riskhub_assets.tables import registry

DECIMAL_PROBES = ("-1000000000000000", "-1000000", "-0.01", "0", "0.01", "999999.99", "1000000", "1000000000000000")
"""Amounts from far below to far above anything a bank sends (DECIMAL(18,2) holds up to 10^16)."""
INTEGER_PROBES = ("-1", "0", "89", "90", "2147483647", "2147483648")
"""Counts (days past due) from below zero to beyond a 32-bit integer."""
EARLIEST = dt.date(1900, 1, 1)
COUNTRIES = ("BE", "NL")
END_DATES = ("close_date", "end_date")
"""Dates that end something: empty while it runs."""
CODES = {"currencies": ("EUR", "USD")}
"""Code lists drawn from a few of their codes rather than all: the reporting currency and one with a rate."""
KEYS: dict[str, LandingFile] = {}
for _file in LANDING_FILES:  # the first file keyed by a column owns it (balances are keyed by their account)
    if not any(c.name == _file.key and c.codes for c in _file.columns):
        KEYS.setdefault(_file.key, _file)
"""Landing files by their business key: a column named like another file's key points into that file."""
KEYS_FOR_GOOD = {t.key[0] for t in registry().values() if t.partition_column and len(t.key) == 1}
"""Keys a daily fact holds once over all days (a transaction, an event): a new day brings new ones."""


def contract_reasons(con: duckdb.DuckDBPyConnection, spec: CleaningSpec, rows: list[dict], day: dt.date) -> list[str]:
    """Why the contract (column types, code lists and business rules; references aside) rejects each row: '' if not."""
    cols = spec.landing.columns
    frame = pd.DataFrame(
        [{f"raw__{c.name}": row.get(c.name) for c in cols} for row in rows], columns=[f"raw__{c.name}" for c in cols]
    ).astype(object)
    frame.insert(0, "_i", range(len(rows)))
    con.register("_rows", frame)
    typed = ", ".join(f'{typed_expr(c)} AS "{c.name}"' for c in cols)
    days = "".join(f', {day_expr(c)} AS "{c.name}__day"' for c in cols if c.type == "timestamp")
    reasons = [r for c in cols for r in column_reasons(c)]
    reasons += [f"CASE WHEN {rule.violated} THEN {literal(rule.reason)} END" for rule in spec.rules]
    found = con.execute(
        f"WITH typed AS (SELECT _rows.*, DATE '{day}' AS business_date, {typed} FROM _rows),"
        f" t AS (SELECT typed.*{days} FROM typed)"
        f" SELECT concat_ws('; ', {', '.join(reasons)}) FROM t ORDER BY _i"
    ).fetchall()
    con.unregister("_rows")
    return [r[0] for r in found]


def accepted_probes(con: duckdb.DuckDBPyConnection, spec: CleaningSpec, column: Column, probes, day: dt.date) -> list:
    """The probe values the contract accepts in `column` when it is the row's only value."""
    verdicts = contract_reasons(con, spec, [{column.name: str(p)} for p in probes], day)
    rejected_alone = set(contract_reasons(con, spec, [{}], day)[0].split("; "))  # what an empty row breaks anyway
    return [p for p, reasons in zip(probes, verdicts) if set(reasons.split("; ")) <= rejected_alone]


def boundary_values(con, spec: CleaningSpec, column: Column, day: dt.date, since: dt.date) -> list[str | None]:
    """Values at the contract's limits for one column; empty too when it is optional."""
    optional = [None] if not column.required else []
    if column.allowed:
        return [*column.allowed, *optional]
    if column.codes:
        return [*CODES.get(column.codes, default_codes(column.codes)), *optional]
    if column.type in ("decimal", "rate"):
        accepted = [float(p) for p in accepted_probes(con, spec, column, DECIMAL_PROBES, day)]
        extremes = {min(accepted), max(accepted), *([0.0] if 0.0 in accepted else [])}
        return [f"{v:.2f}" for v in sorted(extremes)] + optional
    if column.type == "date" and column.name not in END_DATES:
        return [str(d) for d in accepted_probes(con, spec, column, (EARLIEST, since), day)] + optional
    if column.type == "date":  # an end date: empty while running, or the first day of the bank
        return [None, str(since)]
    if column.type == "timestamp":
        return [f"{day}T00:00:00", f"{day}T23:59:59", *optional]
    if column.type == "integer":
        accepted = [int(p) for p in accepted_probes(con, spec, column, INTEGER_PROBES, day)]
        return [str(v) for v in sorted({min(accepted), max(accepted)})] + optional
    if column.type == "flag":
        return ["1", "0", *optional]
    if column.type == "string":
        if column.unit == "ISO country":
            return [*COUNTRIES, *optional]
        return [f"{column.name} {n}" for n in range(2)] + optional
    raise AssertionError(f"no boundary values for {column.type} columns ({spec.name}.{column.name}): add them here")


def _value(column: Column, values: list, i: int, n: int, keys: dict[str, list[str]], landing: LandingFile, day):
    """Row i's value: its own key, a key of the file it points into (every parent but the last, which has no
    children), or one of the column's boundary values: each in turn, then drawn at random (deterministically)."""
    if column.name == landing.key and column.codes:  # keyed by a code (a rate per currency): each code once
        return values[i]
    if column.name == landing.key and KEYS[column.name] is landing:
        return f"{landing.name}-{day:%Y%m%d}-{i}" if column.name in KEYS_FOR_GOOD else f"{landing.name}-{i}"
    if column.name in KEYS:
        parents = keys[column.name]
        if not column.required and i == n - 1:
            return None
        return parents[i % max(len(parents) - 1, 1)]
    if i < len(values):
        return values[i]
    return values[zlib.crc32(f"{landing.name}.{column.name}.{i}".encode()) % len(values)]  # columns pair at random


def boundary_file(con, spec: CleaningSpec, day: dt.date, since: dt.date, keys: dict[str, list[str]]) -> list[dict]:
    """The rows of one landing file: every boundary value of every column at least once, keys resolving; rows the
    contract itself refuses (a card without a limit, say) are left out."""
    landing = spec.landing
    values = {c.name: boundary_values(con, spec, c, day, since) for c in landing.columns}
    parents = [len(keys[c.name]) for c in landing.columns if c.name in keys]
    n = max(3, *(2 * len(v) for v in values.values()), *(2 * (p - 1) for p in parents))
    if next(c for c in landing.columns if c.name == landing.key).codes:
        n = len(values[landing.key])
    elif KEYS[landing.key] is not landing:  # keyed by its parent's key: one row per parent but the last
        n = max(len(keys[landing.key]) - 1, 1)
    rows = [{c.name: _value(c, values[c.name], i, n, keys, landing, day) for c in landing.columns} for i in range(n)]
    return [row for row, reasons in zip(rows, contract_reasons(con, spec, rows, day)) if not reasons]


def boundary_bank(day: dt.date, since: dt.date) -> dict[str, list[dict]]:
    """Every landing file of one business day: files in contract order, each pointing at its parents' kept keys."""
    keys: dict[str, list[str]] = {}
    bank = {}
    with duckdb.connect() as con:
        load_all_references(con)
        for landing in LANDING_FILES:
            rows = boundary_file(con, CLEANING_SPECS[landing.name], day, since, keys)
            bank[landing.name] = rows
            if KEYS.get(landing.key) is landing:  # what children may point at: records not closed before the day
                keys[landing.key] = [r[landing.key] for r in rows if (r.get("close_date") or str(day)) >= str(day)]
    return bank


def write_bank(landing_dir: Path, day: dt.date, bank: dict[str, list[dict]]) -> None:
    """Write one day's landing files, with the contract header, as a bank would (empty cells for missing values)."""
    folder = landing_dir / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    for landing in LANDING_FILES:
        frame = pd.DataFrame(bank[landing.name], columns=landing.header)
        frame.to_csv(folder / landing.filename, index=False)
