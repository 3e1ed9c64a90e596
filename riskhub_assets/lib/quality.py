"""Data tests on warehouse tables: each returns what failed and on how many rows."""

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import duckdb

from riskhub_assets.tables.spec import Table


@dataclass(frozen=True)
class CheckOutcome:
    """The verdict of one data test, with failing row counts broken down by what failed."""

    name: str
    passed: bool
    failing_rows: int
    summary: str
    detail: dict[str, int] = field(default_factory=dict)
    warn_only: bool = False


def _scope(table: Table, start: dt.date | None, end: dt.date | None) -> str:
    if table.partition_column is None or start is None:
        return "true"
    return f"\"{table.partition_column}\" BETWEEN DATE '{start}' AND DATE '{end}'"


def _outcome(name: str, table: str, detail: dict[str, int], what: str) -> CheckOutcome:
    failing = {k: v for k, v in detail.items() if v}
    total = sum(failing.values())
    summary = (
        f"{table}: all rows pass ({what})"
        if not failing
        else f"{table}: {total} failing rows ({what}): " + ", ".join(f"{k} = {v}" for k, v in failing.items())
    )
    return CheckOutcome(name, not failing, total, summary, detail)


def _counts(con: duckdb.DuckDBPyConnection, table: str, scope: str, conditions: dict[str, str]) -> dict[str, int]:
    if not conditions:
        return {}
    sums = ", ".join(f"count(*) FILTER (WHERE {cond})" for cond in conditions.values())
    row = con.execute(f"SELECT {sums} FROM {table} WHERE {scope}").fetchone()
    return dict(zip(conditions, row))


def keys_not_null_and_unique(con, table: Table, start=None, end=None) -> CheckOutcome:
    """Business keys are present and identify one row; required columns are filled."""
    scope = _scope(table, start, end)
    nulls = {f"{c} is null": f'"{c}" IS NULL' for c in (*table.key, *table.not_null)}
    detail = _counts(con, table.name, scope, nulls)
    if table.key:
        cols = ", ".join(f'"{c}"' for c in table.key)
        dupes = con.execute(
            f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM {table.name} WHERE {scope}"
            f" GROUP BY {cols} HAVING count(*) > 1)"
        ).fetchone()[0]
        detail[f"duplicate {'+'.join(table.key)}"] = int(dupes)
    return _outcome("keys_not_null_and_unique", table.name, detail, "keys not null and unique")


def _accepted(values: tuple[str, ...] | str) -> str:
    """The accepted values as a SQL list: the contract's own, or every code of a reference list."""
    if isinstance(values, str):
        return f"SELECT code FROM {values}"
    return ", ".join("'" + v + "'" for v in values)


def accepted_values(con, table: Table, start=None, end=None) -> CheckOutcome:
    """Coded columns hold only the values the contract or the bank's reference lists allow."""
    conditions = {f"{c} not accepted": f'"{c}" NOT IN ({_accepted(values)})' for c, values in table.accepted.items()}
    return _outcome(
        "accepted_values",
        table.name,
        _counts(con, table.name, _scope(table, start, end), conditions),
        "accepted values",
    )


def referential_integrity(con, table: Table, start=None, end=None) -> CheckOutcome:
    """Every foreign key points at an existing row of its dimension (one built from an optional file the bank never
    sent is not checked)."""
    scope = _scope(table, start, end)
    detail = {}
    for column, target in table.references.items():
        schema_table, target_col = target.rsplit(".", 1)
        if column in table.references_once_sent and _is_empty(con, schema_table):
            continue
        detail[f"{column} not in {target}"] = con.execute(
            f'SELECT count(*) FROM {table.name} f WHERE {scope} AND f."{column}" IS NOT NULL'
            f' AND NOT EXISTS (SELECT 1 FROM {schema_table} d WHERE d."{target_col}" = f."{column}")'
        ).fetchone()[0]
    return _outcome("referential_integrity", table.name, detail, "foreign keys resolve")


def _is_empty(con, name: str) -> bool:
    return con.execute(f"SELECT count(*) = 0 FROM (SELECT 1 FROM {name} LIMIT 1)").fetchone()[0]


def _outside(bounds: dict[str, tuple[str | None, str | None]]) -> dict[str, str]:
    """A condition per column true for values outside its inclusive bounds."""
    conditions = {}
    for c, (low, high) in bounds.items():
        parts = ([f'"{c}" < {low}'] if low is not None else []) + ([f'"{c}" > {high}'] if high is not None else [])
        conditions[f"{c} out of [{low}, {high}]"] = " OR ".join(parts)
    return conditions


def value_ranges(con, table: Table, start=None, end=None) -> CheckOutcome:
    """Amounts, dates and rates stay within the bounds they can take (never narrower than the landing contract)."""
    detail = _counts(con, table.name, _scope(table, start, end), _outside(table.ranges))
    return _outcome("value_ranges", table.name, detail, "values in range")


def plausible_values(con, table: Table, start=None, end=None) -> CheckOutcome:
    """Valid values stay within their usual bounds, e.g. ages up to 120 (warning only: the contract accepts them)."""
    detail = _counts(con, table.name, _scope(table, start, end), _outside(table.plausible))
    outcome = _outcome("plausible_values", table.name, detail, "values within their usual bounds")
    return dataclasses.replace(outcome, warn_only=True)


def values_match_patterns(con, table: Table, start=None, end=None) -> CheckOutcome:
    """Codes are well formed (an ISO currency is three capital letters)."""
    conditions = {
        f"{c} not like {pattern}": f"NOT regexp_full_match(\"{c}\", '{pattern}')"
        for c, pattern in table.patterns.items()
    }
    return _outcome(
        "values_match_patterns",
        table.name,
        _counts(con, table.name, _scope(table, start, end), conditions),
        "values well formed",
    )


def row_count_vs_trailing_days(con, table: Table, start: dt.date, end: dt.date, days: int = 7) -> CheckOutcome:
    """Each loaded day's row count is within half to double the trailing days' average (warning only)."""
    p = f'"{table.partition_column}"'
    rows = con.execute(
        f"""WITH daily AS (SELECT {p} AS d, count(*) AS n FROM {table.name}
                          WHERE {p} BETWEEN $lo AND $end GROUP BY 1)
            SELECT d, n, (SELECT avg(n) FROM daily h WHERE h.d BETWEEN d.d - {days} AND d.d - 1) AS trailing
            FROM daily d WHERE d.d >= $start ORDER BY d""",
        {"lo": start - dt.timedelta(days=days), "start": start, "end": end},
    ).fetchall()
    off = {str(d): int(n) for d, n, avg in rows if avg is not None and not 0.5 * avg <= n <= 2 * avg}
    with_history = sum(avg is not None for _, _, avg in rows)
    summary = (
        f"{table.name}: {len(off)} of {with_history} days outside half to double the trailing {days}-day average"
        if with_history
        else f"{table.name}: no trailing history to compare with yet"
    )
    return CheckOutcome("row_count_vs_trailing_days", not off, sum(off.values()), summary, off, warn_only=True)


def freshness(con, table: Table, today: dt.date, max_lag_days: int = 2) -> CheckOutcome:
    """The latest business day loaded is recent enough for daily use (warning only)."""
    latest = con.execute(f'SELECT max("{table.partition_column}") FROM {table.name}').fetchone()[0]
    lag = None if latest is None else (today - latest).days
    passed = lag is not None and lag <= max_lag_days
    summary = f"{table.name}: latest business day {latest}, {lag} days old (limit {max_lag_days})"
    return CheckOutcome("freshness", passed, 0, summary, {"lag_days": lag if lag is not None else -1}, warn_only=True)


def table_check_names(table: Table) -> list[str]:
    """Names of the data tests that apply to a table, in the order they run."""
    names = []
    if table.key or table.not_null:
        names.append("keys_not_null_and_unique")
    if table.accepted:
        names.append("accepted_values")
    if table.references:
        names.append("referential_integrity")
    if table.ranges:
        names.append("value_ranges")
    if table.patterns:
        names.append("values_match_patterns")
    if table.plausible:
        names.append("plausible_values")
    if table.partition_column and table.volume:
        names.append("row_count_vs_trailing_days")
    if table.partition_column and table.freshness:
        names.append("freshness")
    return names


def run_table_checks(con, table: Table, start=None, end=None, today: dt.date | None = None) -> list[CheckOutcome]:
    """Run every data test that applies to the table over the given business days."""
    runners = {
        "keys_not_null_and_unique": lambda: keys_not_null_and_unique(con, table, start, end),
        "accepted_values": lambda: accepted_values(con, table, start, end),
        "referential_integrity": lambda: referential_integrity(con, table, start, end),
        "value_ranges": lambda: value_ranges(con, table, start, end),
        "values_match_patterns": lambda: values_match_patterns(con, table, start, end),
        "plausible_values": lambda: plausible_values(con, table, start, end),
        "row_count_vs_trailing_days": lambda: row_count_vs_trailing_days(con, table, start, end),
        "freshness": lambda: freshness(con, table, today or dt.date.today()),
    }
    return [runners[name]() for name in table_check_names(table)]


def row_conservation(con, table: str, columns: list[str], start: dt.date, end: dt.date) -> CheckOutcome:
    """Every raw row is accounted for: raw = clean + quarantined + exact duplicates removed."""
    window = {"start": start, "end": end}
    cols = ", ".join(f'"{c}"' for c in columns)
    q = "WHERE business_date BETWEEN $start AND $end"
    raw, distinct = con.execute(
        f"SELECT count(*), count(DISTINCT (business_date, {cols})) FROM raw.{table} {q}", window
    ).fetchone()
    clean = con.execute(f"SELECT count(*) FROM clean.{table} {q}", window).fetchone()[0]
    quarantined = con.execute(
        f"SELECT count(*) FROM clean.{table}_quarantine {q} AND stage = 'validation'", window
    ).fetchone()[0]
    duplicates = raw - distinct
    gap = raw - clean - quarantined - duplicates
    detail = {
        "raw": raw,
        "clean": clean,
        "quarantined": quarantined,
        "duplicates_removed": duplicates,
        "unaccounted": gap,
    }
    summary = f"raw.{table}: {raw} raw = {clean} clean + {quarantined} quarantined + {duplicates} duplicates" + (
        "" if gap == 0 else f"; {gap} rows unaccounted for"
    )
    return CheckOutcome("row_conservation", gap == 0, abs(gap), summary, detail)


def quarantine_rate(con, name: str, start: dt.date, end: dt.date, limit: float = 0.05) -> CheckOutcome:
    """At most a small share of a day's landed records is quarantined (warning only)."""
    window = {"start": start, "end": end}
    q = "WHERE business_date BETWEEN $start AND $end"
    landed = con.execute(
        f"SELECT (SELECT count(*) FROM raw.{name} {q}) + (SELECT count(*) FROM raw.{name}_rejects {q})", window
    ).fetchone()[0]
    quarantined = con.execute(f"SELECT count(*) FROM clean.{name}_quarantine {q}", window).fetchone()[0]
    rate = quarantined / landed if landed else 0.0
    summary = (
        f"clean.{name}_quarantine: {quarantined} of {landed} landed records quarantined ({rate:.2%}, limit {limit:.0%})"
    )
    return CheckOutcome(
        "quarantine_rate",
        rate <= limit,
        quarantined,
        summary,
        {"landed": landed, "quarantined": quarantined},
        warn_only=True,
    )


WARN_ONLY = frozenset({"plausible_values", "row_count_vs_trailing_days", "freshness", "quarantine_rate"})
"""Data tests that warn without blocking: unusual values, volume swings and late data need a human, not a halt."""

CHECK_DESCRIPTIONS = {
    f.__name__: f.__doc__
    for f in (
        keys_not_null_and_unique,
        accepted_values,
        referential_integrity,
        value_ranges,
        values_match_patterns,
        plausible_values,
        row_count_vs_trailing_days,
        freshness,
        row_conservation,
        quarantine_rate,
    )
}
