"""Typing, validating, deduplicating and pseudonymising a raw landing table into its clean table and quarantine."""

import datetime as dt
from dataclasses import dataclass

import duckdb

from riskhub_assets.lib.cleaning_specs import CleaningSpec, Reference
from riskhub_assets.lib.contract import DATE_FORMATS, DEFAULT_TIMEZONE, TIMESTAMP_FORMATS, Column
from riskhub_assets.lib.frames import ensure_table
from riskhub_assets.lib.pseudonymise import hmac_pads, hmac_sql
from riskhub_assets.lib.sqltext import literal

CLEAN_TYPES = {
    "string": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "decimal": "DECIMAL(18,2)",
    "rate": "DECIMAL(18,8)",
    "integer": "INTEGER",
    "flag": "BOOLEAN",
}


EARLIEST_DATE = "DATE '1900-01-01'"
LATEST_YEARS = 100
"""Dates a record may carry: from 1900 to a century after its business day (a 40-year mortgage's maturity fits;
year 0001 or 9999 is a placeholder or a typing error, quarantined)."""


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


def kept_to_month(col: Column) -> bool:
    """Personal dates (birth date) leave the raw layer kept to their month: enough for an age in whole years."""
    return col.personal and col.type == "date"


def clean_column_name(col: Column) -> str:
    """The column's name in the clean layer: a pseudonym, a date kept to its month (birth_month), or its own."""
    if pseudonymised(col):
        return f"{col.name}_pseudonym"
    return f"{col.name.removesuffix('_date')}_month" if kept_to_month(col) else col.name


def _clean_value(col: Column) -> str:
    """SQL for the column's value in the clean layer, from the checked (typed) value."""
    if pseudonymised(col):
        return f'CASE WHEN "{col.name}" IS NOT NULL THEN {hmac_sql(_normalised(col))} END'
    return f"date_trunc('month', \"{col.name}\")" if kept_to_month(col) else f'"{col.name}"'


def _value(col: Column) -> str:
    return f"nullif(trim(\"raw__{col.name}\"), '')"


def _parse_any(value: str, formats: tuple[str, ...], sql_type: str) -> str:
    """ISO 8601 through a fast cast; the other accepted formats only for values that are not ISO."""
    tries = ", ".join(f"try_strptime({value}, '{f}')" for f in formats[1:])
    return f"coalesce(TRY_CAST({value} AS {sql_type}), CAST(coalesce({tries}) AS {sql_type}))"


def time_unknown(col: Column) -> bool:
    """An optional timestamp may come as a date alone: the day is known, the time of day is not (left NULL)."""
    return col.type == "timestamp" and not col.required


def day_expr(col: Column) -> str:
    """SQL giving the day of a timestamp column, whether it came with a time of day or as a date alone."""
    if not time_unknown(col):
        return f'CAST("{col.name}" AS DATE)'
    v = _value(col)
    return f"coalesce(CAST(\"{col.name}\" AS DATE), CASE WHEN NOT contains({v}, ':') THEN {_parse_any(v, DATE_FORMATS, 'DATE')} END)"


OFFSET = "[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"
"""A time of day followed by its offset from UTC (`+14:00`, `-0500`, `Z`)."""


def _local_time(value: str, timezone: str) -> str:
    """A timestamp in bank-local time: one written with an offset from UTC converted to the bank's time zone
    (RISKHUB_BANK_TIMEZONE), one without taken as bank-local already."""
    with_offset = f"timezone({literal(timezone)}, TRY_CAST({value} AS TIMESTAMPTZ))"
    local = _parse_any(value, TIMESTAMP_FORMATS, "TIMESTAMP")
    return f"CASE WHEN regexp_matches({value}, '{OFFSET}') THEN {with_offset} ELSE {local} END"


def typed_expr(col: Column, timezone: str = DEFAULT_TIMEZONE) -> str:
    """SQL turning the raw VARCHAR into the clean type, with codes standardised; NULL when it does not parse."""
    v = _value(col)
    if col.type == "date":
        return _parse_any(v, DATE_FORMATS, "DATE")
    if time_unknown(col):
        return f"CASE WHEN contains({v}, ':') THEN {_local_time(v, timezone)} END"
    if col.type == "timestamp":
        return _local_time(v, timezone)
    if col.type in ("decimal", "rate"):
        return f"TRY_CAST({v} AS {CLEAN_TYPES[col.type]})"
    if col.type == "integer":  # a cast alone would round 12.5 to 13
        return f"CASE WHEN regexp_full_match({v}, '[+-]?[0-9]+') THEN TRY_CAST({v} AS INTEGER) END"
    if col.type == "flag":
        return f"CASE WHEN lower({v}) IN ('1','true','y','yes') THEN true WHEN lower({v}) IN ('0','false','n','no') THEN false END"
    if col.codes:
        return v  # matched against its reference list ignoring case, then spelt as the list spells it
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
    parsed = f'"{col.name}__day"' if time_unknown(col) else t
    reasons.append(f"CASE WHEN {v} IS NOT NULL AND {parsed} IS NULL THEN 'invalid {col.type} in {col.name}'{shown} END")
    if col.type == "decimal":  # DECIMAL(18,2) would round 12.345 to 12.35 without a word
        reasons.append(
            f"CASE WHEN {t} IS NOT NULL AND regexp_matches({v}, '[.][0-9]{{2}}[0-9]*[1-9]')"
            f" THEN 'more than 2 decimals in {col.name} (below a cent)'{shown} END"
        )
    if col.type == "date":
        reasons.append(
            f"CASE WHEN {t} NOT BETWEEN {EARLIEST_DATE} AND business_date + INTERVAL {LATEST_YEARS} YEAR"
            f" THEN '{col.name} out of range (1900-01-01 to {LATEST_YEARS} years after the business date)'{shown} END"
        )
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


def _code_joins(cols: tuple[Column, ...]) -> tuple[list[str], list[str], list[str]]:
    """Joins to the reference lists of coded columns: the joins, each code as its list spells it, the reasons."""
    joins, spellings, reasons = [], [], []
    for i, col in enumerate(c for c in cols if c.codes):
        joins.append(f'LEFT JOIN reference.{col.codes} code{i} ON lower(code{i}.code) = lower(t."{col.name}")')
        spellings.append(f'coalesce(code{i}.code, t."{col.name}") AS "{col.name}"')
        reasons.append(
            f'CASE WHEN t."{col.name}" IS NOT NULL AND code{i}.code IS NULL'
            f" THEN '{col.name} not in reference.{col.codes}: ''' || t.\"{col.name}\" || '''' END"
        )
    return joins, spellings, reasons


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


def _clean_columns(spec: CleaningSpec) -> str:
    """The clean table's columns (typed, pseudonymised, personal dates kept to their month) as a column list."""
    cols = ", ".join(
        f'"{clean_column_name(c)}" {"VARCHAR" if pseudonymised(c) else CLEAN_TYPES[c.type]}'
        for c in spec.landing.columns
    )
    return f"business_date DATE NOT NULL, {cols}, _file VARCHAR NOT NULL, _row_number BIGINT NOT NULL"


def clean_table_ddl(spec: CleaningSpec) -> list[str]:
    """DDL for the clean table (typed, pseudonymised) and its quarantine."""
    return [
        "CREATE SCHEMA IF NOT EXISTS clean",
        f"CREATE TABLE IF NOT EXISTS clean.{spec.name} ({_clean_columns(spec)})",
        f"CREATE TABLE IF NOT EXISTS clean.{spec.name}_quarantine (business_date DATE NOT NULL, _file VARCHAR NOT NULL,"
        " _row_number BIGINT NOT NULL, stage VARCHAR NOT NULL, reason VARCHAR NOT NULL, record VARCHAR)",
    ]


def _reference_table(spec: CleaningSpec, i: int) -> str:
    return f"_valid_{spec.name}_{i}"


def _create_reference_tables(con: duckdb.DuckDBPyConnection, spec: CleaningSpec, window: dict) -> None:
    """Each reference's valid keys as a temp table: joined from a table, the checking query is planned far better."""
    for i, ref in enumerate(spec.references):
        params = {name: value for name, value in window.items() if f"${name}" in ref.relation}
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_reference_table(spec, i)} AS {ref.relation}", params)


def _reference_reason(ref: Reference, i: int, sent: str) -> str:
    """SQL saying why the row's key is not valid on its day: ended before it (when the reference knows), or unknown."""
    value = f't."{ref.column}"'
    why = f"'{ref.reason}: ''' || {value} || ''''"
    if ref.ended:
        why = (
            f"CASE WHEN ended{i}.ended_on < t.business_date THEN '{ref.column} closed before the business date: '''"
            f" || {value} || ''' closed on ' || ended{i}.ended_on ELSE {why} END"
        )
    return f"CASE WHEN {value} IS NOT NULL AND ref{i}.key IS NULL{sent} THEN {why} END"


def _checked_sql(spec: CleaningSpec, timezone: str) -> str:
    cols = spec.landing.columns
    raw_as = ", ".join(f'"{c.name}" AS "raw__{c.name}"' for c in cols)
    typed = ", ".join(f'{typed_expr(c, timezone)} AS "{c.name}"' for c in cols)
    code_joins, spellings, code_reasons = _code_joins(cols)
    days = "".join(f', {day_expr(c)} AS "{c.name}__day"' for c in cols if c.type == "timestamp")
    joins, reasons = [], [r for c in cols for r in column_reasons(c)] + ["_code_reason"]
    for i, ref in enumerate(spec.references):
        joins.append(
            f'LEFT JOIN {_reference_table(spec, i)} ref{i} ON ref{i}.key = t."{ref.column}"'
            + (
                f" AND t.business_date = ref{i}.valid_from"
                if ref.same_day
                else f" AND t.business_date BETWEEN ref{i}.valid_from AND ref{i}.valid_to"
            )
        )
        sent = f" AND EXISTS ({ref.relation})" if ref.only_once_sent else ""
        reasons.append(_reference_reason(ref, i, sent))
        if ref.ended:
            joins.append(f'LEFT JOIN ({ref.ended}) ended{i} ON ended{i}.key = t."{ref.column}"')
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
    typed AS (SELECT src.*, coalesce(copies._copy, 1) AS _copy, {typed}
              FROM src LEFT JOIN copies USING (business_date, _row_number)),
    t AS (SELECT typed.*{days} FROM typed),
    coded AS (
        SELECT t.*{f" REPLACE ({', '.join(spellings)})" if spellings else ""},
               nullif(concat_ws('; ', {", ".join(code_reasons) or "NULL"}), '') AS _code_reason
        FROM t {" ".join(code_joins)}),
    checked AS (
        SELECT t.* EXCLUDE (_code_reason), nullif(concat_ws('; ', {", ".join(reasons)}), '') AS _reason
        FROM coded t {" ".join(joins)}),
    conflicts AS (
        SELECT business_date, _row_number, row_number() OVER w AS _key_rank, first_value(_row_number) OVER w AS _key_first
        FROM checked WHERE _key_count > 1
        WINDOW w AS (PARTITION BY business_date, "{key_col.name}", (_reason IS NULL AND _copy = 1) ORDER BY _row_number))
    {_resent_sql(spec, key_col.name)}
    SELECT checked.* EXCLUDE (_reason, _key_count),
        CASE WHEN _copy > 1 THEN 'duplicate'
             WHEN _reason IS NOT NULL OR _key_rank > 1 OR _sent_on < business_date THEN 'quarantined'
             ELSE 'clean' END AS _outcome,
        CASE WHEN _copy = 1 AND _reason IS NULL AND _key_rank > 1
             THEN 'duplicate {spec.landing.key} with different content: first at line ' || _key_first
             WHEN _copy = 1 AND _reason IS NULL AND _sent_on < business_date
             THEN 'duplicate {spec.landing.key} of an earlier day: first sent on ' || _sent_on
             ELSE _reason END AS _reason
    FROM checked LEFT JOIN conflicts USING (business_date, _row_number) LEFT JOIN resent USING (business_date, _row_number)
    """


def _resent_sql(spec: CleaningSpec, key: str) -> str:
    """A CTE `resent` giving, for a file whose key is sent once in history (a booked transaction, an event), the first
    business day each valid row's key was sent: a later day's row with it is a re-send, never counted twice."""
    if not spec.key_once:
        return ", resent AS (SELECT business_date, _row_number, CAST(NULL AS DATE) AS _sent_on FROM checked LIMIT 0)"
    return f""", history AS (
        SELECT "{key}" AS _key, min(business_date) AS _first FROM clean.{spec.name}
        WHERE business_date < $start GROUP BY 1),
    resent AS (
        SELECT business_date, _row_number, least(history._first, min(business_date)
               FILTER (WHERE _reason IS NULL AND _copy = 1) OVER (PARTITION BY "{key}")) AS _sent_on
        FROM checked LEFT JOIN history ON history._key = checked."{key}")"""


def _normalised(col: Column) -> str:
    return f"lower(regexp_replace(trim(\"raw__{col.name}\"), '\\s+', ' ', 'g'))"


def _clean_select(spec: CleaningSpec) -> str:
    return ", ".join(f'{_clean_value(c)} AS "{clean_column_name(c)}"' for c in spec.landing.columns)


def _record_json(spec: CleaningSpec) -> str:
    """The rejected record as JSON, personal columns withheld (they stay in the restricted raw layer)."""
    return (
        "json_object("
        + ", ".join(f"'{c.name}', \"raw__{c.name}\"" for c in spec.landing.columns if not c.personal)
        + ")"
    )


def clean_range(
    con: duckdb.DuckDBPyConnection,
    spec: CleaningSpec,
    start: dt.date,
    end: dt.date,
    key: bytes,
    timezone: str = DEFAULT_TIMEZONE,
) -> CleanResult:
    """Replace the clean table and quarantine for business days start..end from the raw table (timestamps with an
    offset from UTC converted to the bank's time zone)."""
    window = {"start": start, "end": end}
    has_personal = any(pseudonymised(c) for c in spec.landing.columns)
    pads = dict(zip(("ipad", "opad"), hmac_pads(key))) if has_personal else {}
    checked = f"_checked_{spec.name}"
    for ddl in clean_table_ddl(spec):
        con.execute(ddl)
    ensure_table(con, f"clean.{spec.name}", _clean_columns(spec))  # rows go in by position: refuse an older schema
    _create_reference_tables(con, spec, window)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {checked} AS {_checked_sql(spec, timezone)}", window)
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
    for name in (checked, *(_reference_table(spec, i) for i in range(len(spec.references)))):
        con.execute(f"DROP TABLE {name}")
    return CleanResult(
        raw_rows=sum(counts.values()),
        clean_rows=counts.get("clean", 0),
        quarantined=counts.get("quarantined", 0),
        duplicates_removed=counts.get("duplicate", 0),
        parse_rejects=parse_rejects,
        reasons=quarantine_reasons(con, spec.name, start, end),
    )
