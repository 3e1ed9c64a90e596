"""Typing, validating, deduplicating and pseudonymising a raw landing table into its clean table and quarantine."""

import datetime as dt
from dataclasses import dataclass

import duckdb

from riskhub_assets.lib.cleaning_specs import CleaningSpec
from riskhub_assets.lib.contract import DATE_FORMATS, TIMESTAMP_FORMATS, Column
from riskhub_assets.lib.pseudonymise import hmac_pads, hmac_sql
from riskhub_assets.lib.sqltext import literal

CLEAN_TYPES = {
    "string": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "decimal": "DECIMAL(18,2)",
    "flag": "BOOLEAN",
}


@dataclass(frozen=True)
class CleanResult:
    """Row counts of a cleaning run; raw rows = clean + quarantined + duplicates removed."""

    raw_rows: int
    clean_rows: int
    quarantined: int
    duplicates_removed: int
    parse_rejects: int
    reasons: dict[str, int]


def pseudonymised(col: Column) -> bool:
    """Direct identifiers (personal free text) never leave the raw layer in clear."""
    return col.personal and col.type == "string"


def clean_column_name(col: Column) -> str:
    return f"{col.name}_pseudonym" if pseudonymised(col) else col.name


def _value(col: Column) -> str:
    return f"nullif(trim(\"raw__{col.name}\"), '')"


def _parse_any(value: str, formats: tuple[str, ...], sql_type: str) -> str:
    """ISO 8601 through a fast cast; the other accepted formats only for values that are not ISO."""
    tries = ", ".join(f"try_strptime({value}, '{f}')" for f in formats[1:])
    return f"coalesce(TRY_CAST({value} AS {sql_type}), CAST(coalesce({tries}) AS {sql_type}))"


def typed_expr(col: Column) -> str:
    """SQL turning the raw VARCHAR into the clean type, with codes standardised; NULL when it does not parse."""
    v = _value(col)
    if col.type == "date":
        return _parse_any(v, DATE_FORMATS, "DATE")
    if col.type == "timestamp":
        return _parse_any(v, TIMESTAMP_FORMATS, "TIMESTAMP")
    if col.type == "decimal":
        return f"TRY_CAST({v} AS DECIMAL(18,2))"
    if col.type == "flag":
        return f"CASE WHEN lower({v}) IN ('1','true','y','yes') THEN true WHEN lower({v}) IN ('0','false','n','no') THEN false END"
    if col.unit == "ISO country" or (col.allowed and all(a.isupper() for a in col.allowed)):
        return f"upper({v})"
    if col.allowed and all(a.islower() for a in col.allowed):
        return f"lower({v})"
    return v


def column_reasons(col: Column) -> list[str]:
    """SQL expressions giving a rejection reason for this column, or NULL when it is fine."""
    v, t = _value(col), f'"{col.name}"'
    shown = "" if col.personal else f" || ': ''' || {v} || ''''"
    reasons = []
    if col.required:
        reasons.append(f"CASE WHEN {v} IS NULL THEN 'missing {col.name}' END")
    reasons.append(f"CASE WHEN {v} IS NOT NULL AND {t} IS NULL THEN 'invalid {col.type} in {col.name}'{shown} END")
    if col.allowed:
        allowed = ", ".join(literal(a) for a in col.allowed)
        reasons.append(
            f"CASE WHEN {t} NOT IN ({allowed}) THEN '{col.name} not an accepted value: ''' || {t} || '''' END"
        )
    if col.unit == "ISO country":
        reasons.append(
            f"CASE WHEN NOT regexp_full_match({t}, '[A-Z]{{2}}') THEN '{col.name} not an ISO 3166 alpha-2 code: ''' || {t} || '''' END"
        )
    return reasons


def quarantine_reasons(
    con: duckdb.DuckDBPyConnection, name: str, start: dt.date, end: dt.date, top: int | None = None
) -> dict[str, int]:
    """Why records of a landing file were quarantined on business days start..end: each kind of reason (without the
    value) and how many records it rejected, most frequent first (the `top` ones when given)."""
    rows = con.execute(
        f"SELECT regexp_replace(r, ': .*$', '') AS kind, count(*) FROM (SELECT unnest(string_split(reason, '; ')) AS r"
        f" FROM clean.{name}_quarantine WHERE business_date BETWEEN $start AND $end) GROUP BY kind ORDER BY 2 DESC, 1",
        {"start": start, "end": end},
    ).fetchall()
    return dict(rows[:top] if top else rows)


def clean_table_ddl(spec: CleaningSpec) -> list[str]:
    """DDL for the clean table (typed, pseudonymised) and its quarantine."""
    cols = ", ".join(
        f'"{clean_column_name(c)}" {"VARCHAR" if pseudonymised(c) else CLEAN_TYPES[c.type]}'
        for c in spec.landing.columns
    )
    return [
        "CREATE SCHEMA IF NOT EXISTS clean",
        f"CREATE TABLE IF NOT EXISTS clean.{spec.name} (business_date DATE NOT NULL, {cols},"
        " _file VARCHAR NOT NULL, _row_number BIGINT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS clean.{spec.name}_quarantine (business_date DATE NOT NULL, _file VARCHAR NOT NULL,"
        " _row_number BIGINT NOT NULL, stage VARCHAR NOT NULL, reason VARCHAR NOT NULL, record VARCHAR)",
    ]


def _checked_sql(spec: CleaningSpec) -> str:
    cols = spec.landing.columns
    raw_as = ", ".join(f'"{c.name}" AS "raw__{c.name}"' for c in cols)
    typed = ", ".join(f'{typed_expr(c)} AS "{c.name}"' for c in cols)
    joins, reasons = [], [r for c in cols for r in column_reasons(c)]
    for i, ref in enumerate(spec.references):
        joins.append(
            f'LEFT JOIN ({ref.relation}) ref{i} ON ref{i}.key = t."{ref.column}"'
            + (
                f" AND t.business_date = ref{i}.valid_from"
                if ref.same_day
                else f" AND t.business_date BETWEEN ref{i}.valid_from AND ref{i}.valid_to"
            )
        )
        reasons.append(
            f'CASE WHEN t."{ref.column}" IS NOT NULL AND ref{i}.key IS NULL'
            f" THEN 'unknown {ref.column}: ''' || t.\"{ref.column}\" || '''' END"
        )
    reasons += [f"CASE WHEN {rule.violated} THEN {literal(rule.reason)} END" for rule in spec.rules]
    key_col = next(c for c in cols if c.name == spec.landing.key)
    raw_key = ", ".join(f'"raw__{c.name}"' for c in cols)
    # Exact copies and key conflicts can only occur among rows sharing a key: rank only those.
    return f"""
    WITH src AS (
        SELECT business_date, _file, _row_number, {raw_as},
               count(*) OVER (PARTITION BY business_date, {typed_expr(key_col)}) AS _key_count
        FROM raw.{spec.name} WHERE business_date BETWEEN $start AND $end),
    copies AS (
        SELECT business_date, _row_number,
               row_number() OVER (PARTITION BY business_date, {raw_key} ORDER BY _row_number) AS _copy
        FROM src WHERE _key_count > 1),
    t AS (SELECT src.*, coalesce(copies._copy, 1) AS _copy, {typed}
          FROM src LEFT JOIN copies USING (business_date, _row_number)),
    checked AS (
        SELECT t.*, nullif(concat_ws('; ', {", ".join(reasons)}), '') AS _reason
        FROM t {" ".join(joins)}),
    conflicts AS (
        SELECT business_date, _row_number, row_number() OVER w AS _key_rank, first_value(_row_number) OVER w AS _key_first
        FROM checked WHERE _key_count > 1
        WINDOW w AS (PARTITION BY business_date, "{key_col.name}", (_reason IS NULL AND _copy = 1) ORDER BY _row_number))
    SELECT checked.* EXCLUDE (_reason, _key_count),
        CASE WHEN _copy > 1 THEN 'duplicate'
             WHEN _reason IS NOT NULL OR _key_rank > 1 THEN 'quarantined'
             ELSE 'clean' END AS _outcome,
        CASE WHEN _copy = 1 AND _reason IS NULL AND _key_rank > 1
             THEN 'duplicate {spec.landing.key} with different content: first at line ' || _key_first
             ELSE _reason END AS _reason
    FROM checked LEFT JOIN conflicts USING (business_date, _row_number)
    """


def _normalised(col: Column) -> str:
    return f"lower(regexp_replace(trim(\"raw__{col.name}\"), '\\s+', ' ', 'g'))"


def _clean_select(spec: CleaningSpec) -> str:
    return ", ".join(
        f'CASE WHEN "{c.name}" IS NOT NULL THEN {hmac_sql(_normalised(c))} END AS "{c.name}_pseudonym"'
        if pseudonymised(c)
        else f'"{c.name}"'
        for c in spec.landing.columns
    )


def _record_json(spec: CleaningSpec) -> str:
    """The rejected record as JSON, personal columns withheld (they stay in the restricted raw layer)."""
    return (
        "json_object("
        + ", ".join(f"'{c.name}', \"raw__{c.name}\"" for c in spec.landing.columns if not c.personal)
        + ")"
    )


def clean_range(
    con: duckdb.DuckDBPyConnection, spec: CleaningSpec, start: dt.date, end: dt.date, key: bytes
) -> CleanResult:
    """Replace the clean table and quarantine for business days start..end from the raw table."""
    window = {"start": start, "end": end}
    has_personal = any(pseudonymised(c) for c in spec.landing.columns)
    pads = dict(zip(("ipad", "opad"), hmac_pads(key))) if has_personal else {}
    checked = f"_checked_{spec.name}"
    for ddl in clean_table_ddl(spec):
        con.execute(ddl)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {checked} AS {_checked_sql(spec)}", window)
    con.execute(f"DELETE FROM clean.{spec.name} WHERE business_date BETWEEN $start AND $end", window)
    con.execute(f"DELETE FROM clean.{spec.name}_quarantine WHERE business_date BETWEEN $start AND $end", window)
    con.execute(
        f"INSERT INTO clean.{spec.name} SELECT business_date, {_clean_select(spec)}, _file, _row_number"
        f" FROM {checked} WHERE _outcome = 'clean'",
        pads,
    )
    con.execute(
        f"INSERT INTO clean.{spec.name}_quarantine SELECT business_date, _file, _row_number, 'validation', _reason,"
        f" {_record_json(spec)} FROM {checked} WHERE _outcome = 'quarantined'"
    )
    con.execute(
        f"INSERT INTO clean.{spec.name}_quarantine SELECT business_date, _file, _row_number, 'parse', reason,"
        f" {'NULL' if spec.landing.has_personal_data else 'record'} FROM raw.{spec.name}_rejects WHERE business_date BETWEEN $start AND $end",
        window,
    )
    counts = dict(con.execute(f"SELECT _outcome, count(*) FROM {checked} GROUP BY ALL").fetchall())
    parse_rejects = con.execute(
        f"SELECT count(*) FROM raw.{spec.name}_rejects WHERE business_date BETWEEN $start AND $end", window
    ).fetchone()[0]
    con.execute(f"DROP TABLE {checked}")
    return CleanResult(
        raw_rows=sum(counts.values()),
        clean_rows=counts.get("clean", 0),
        quarantined=counts.get("quarantined", 0),
        duplicates_removed=counts.get("duplicate", 0),
        parse_rejects=parse_rejects,
        reasons=quarantine_reasons(con, spec.name, start, end),
    )
