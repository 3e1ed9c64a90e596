"""Data tests on warehouse tables: each returns what failed and on how many rows."""

import datetime as dt
from dataclasses import dataclass, field

import duckdb


@dataclass(frozen=True)
class TableChecks:
    """The data tests a table must pass; partitioned tables are tested on the business days just loaded."""

    table: str
    key: tuple[str, ...] = ()
    not_null: tuple[str, ...] = ()
    accepted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)  # column -> "schema.table.column"
    ranges: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # inclusive SQL bounds
    partition_column: str | None = None
    volume: bool = True  # partitioned tables: test each day's row count against the trailing days
    freshness: bool = True  # partitioned tables: test the latest business day is recent


@dataclass(frozen=True)
class CheckOutcome:
    """The verdict of one data test, with failing row counts broken down by what failed."""

    name: str
    passed: bool
    failing_rows: int
    summary: str
    detail: dict[str, int] = field(default_factory=dict)
    warn_only: bool = False


def _scope(checks: TableChecks, start: dt.date | None, end: dt.date | None) -> str:
    if checks.partition_column is None or start is None:
        return "true"
    return f"\"{checks.partition_column}\" BETWEEN DATE '{start}' AND DATE '{end}'"


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


def keys_not_null_and_unique(con, checks: TableChecks, start=None, end=None) -> CheckOutcome:
    """Business keys are present and identify one row; required columns are filled."""
    scope = _scope(checks, start, end)
    nulls = {f"{c} is null": f'"{c}" IS NULL' for c in (*checks.key, *checks.not_null)}
    detail = _counts(con, checks.table, scope, nulls)
    if checks.key:
        cols = ", ".join(f'"{c}"' for c in checks.key)
        dupes = con.execute(
            f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM {checks.table} WHERE {scope}"
            f" GROUP BY {cols} HAVING count(*) > 1)"
        ).fetchone()[0]
        detail[f"duplicate {'+'.join(checks.key)}"] = int(dupes)
    return _outcome("keys_not_null_and_unique", checks.table, detail, "keys not null and unique")


def accepted_values(con, checks: TableChecks, start=None, end=None) -> CheckOutcome:
    """Coded columns hold only the values the contract allows."""
    conditions = {
        f"{c} not accepted": f'"{c}" NOT IN (' + ", ".join("'" + v + "'" for v in values) + ")"
        for c, values in checks.accepted.items()
    }
    return _outcome(
        "accepted_values",
        checks.table,
        _counts(con, checks.table, _scope(checks, start, end), conditions),
        "accepted values",
    )


def referential_integrity(con, checks: TableChecks, start=None, end=None) -> CheckOutcome:
    """Every foreign key points at an existing row of its dimension."""
    scope = _scope(checks, start, end)
    detail = {}
    for column, target in checks.references.items():
        schema_table, target_col = target.rsplit(".", 1)
        detail[f"{column} not in {target}"] = con.execute(
            f'SELECT count(*) FROM {checks.table} f WHERE {scope} AND f."{column}" IS NOT NULL'
            f' AND NOT EXISTS (SELECT 1 FROM {schema_table} d WHERE d."{target_col}" = f."{column}")'
        ).fetchone()[0]
    return _outcome("referential_integrity", checks.table, detail, "foreign keys resolve")


def value_ranges(con, checks: TableChecks, start=None, end=None) -> CheckOutcome:
    """Amounts, dates and rates stay within plausible bounds."""
    conditions = {}
    for c, (low, high) in checks.ranges.items():
        parts = ([f'"{c}" < {low}'] if low is not None else []) + ([f'"{c}" > {high}'] if high is not None else [])
        conditions[f"{c} out of [{low}, {high}]"] = " OR ".join(parts)
    return _outcome(
        "value_ranges",
        checks.table,
        _counts(con, checks.table, _scope(checks, start, end), conditions),
        "values in range",
    )


def row_count_vs_trailing_days(con, checks: TableChecks, start: dt.date, end: dt.date, days: int = 7) -> CheckOutcome:
    """Each loaded day's row count is within half to double the trailing days' average (warning only)."""
    p = f'"{checks.partition_column}"'
    rows = con.execute(
        f"""WITH daily AS (SELECT {p} AS d, count(*) AS n FROM {checks.table}
                          WHERE {p} BETWEEN $lo AND $end GROUP BY 1)
            SELECT d, n, (SELECT avg(n) FROM daily h WHERE h.d BETWEEN d.d - {days} AND d.d - 1) AS trailing
            FROM daily d WHERE d.d >= $start ORDER BY d""",
        {"lo": start - dt.timedelta(days=days), "start": start, "end": end},
    ).fetchall()
    off = {str(d): int(n) for d, n, avg in rows if avg is not None and not 0.5 * avg <= n <= 2 * avg}
    with_history = sum(avg is not None for _, _, avg in rows)
    summary = (
        f"{checks.table}: {len(off)} of {with_history} days outside half to double the trailing {days}-day average"
        if with_history
        else f"{checks.table}: no trailing history to compare with yet"
    )
    return CheckOutcome("row_count_vs_trailing_days", not off, sum(off.values()), summary, off, warn_only=True)


def freshness(con, checks: TableChecks, today: dt.date, max_lag_days: int = 2) -> CheckOutcome:
    """The latest business day loaded is recent enough for daily use (warning only)."""
    latest = con.execute(f'SELECT max("{checks.partition_column}") FROM {checks.table}').fetchone()[0]
    lag = None if latest is None else (today - latest).days
    passed = lag is not None and lag <= max_lag_days
    summary = f"{checks.table}: latest business day {latest}, {lag} days old (limit {max_lag_days})"
    return CheckOutcome("freshness", passed, 0, summary, {"lag_days": lag if lag is not None else -1}, warn_only=True)


def table_check_names(checks: TableChecks) -> list[str]:
    """Names of the data tests that apply to a table, in the order they run."""
    names = []
    if checks.key or checks.not_null:
        names.append("keys_not_null_and_unique")
    if checks.accepted:
        names.append("accepted_values")
    if checks.references:
        names.append("referential_integrity")
    if checks.ranges:
        names.append("value_ranges")
    if checks.partition_column and checks.volume:
        names.append("row_count_vs_trailing_days")
    if checks.partition_column and checks.freshness:
        names.append("freshness")
    return names


def run_table_checks(
    con, checks: TableChecks, start=None, end=None, today: dt.date | None = None
) -> list[CheckOutcome]:
    """Run every data test that applies to the table over the given business days."""
    runners = {
        "keys_not_null_and_unique": lambda: keys_not_null_and_unique(con, checks, start, end),
        "accepted_values": lambda: accepted_values(con, checks, start, end),
        "referential_integrity": lambda: referential_integrity(con, checks, start, end),
        "value_ranges": lambda: value_ranges(con, checks, start, end),
        "row_count_vs_trailing_days": lambda: row_count_vs_trailing_days(con, checks, start, end),
        "freshness": lambda: freshness(con, checks, today or dt.date.today()),
    }
    return [runners[name]() for name in table_check_names(checks)]


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


WARN_ONLY = frozenset({"row_count_vs_trailing_days", "freshness", "quarantine_rate"})
"""Data tests that warn without blocking: volume swings and late data need a human, not a halt."""

CHECK_DESCRIPTIONS = {
    f.__name__: f.__doc__
    for f in (
        keys_not_null_and_unique,
        accepted_values,
        referential_integrity,
        value_ranges,
        row_count_vs_trailing_days,
        freshness,
        row_conservation,
        quarantine_rate,
    )
}
