"""Data tests on warehouse tables: each returns what failed and on how many rows."""

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import duckdb

from riskhub_assets.lib import settings
from riskhub_assets.lib.cleaning import quarantine_reasons
from riskhub_assets.lib.ingest import LOADS
from riskhub_assets.tables.spec import Table

TOP_REASONS = 3
"""Quarantine reasons a failure message names for a day, the most frequent first."""
LISTED_DAYS = 5
"""Days a failure message details one by one; the rest are counted."""


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


def day_volume_not_collapsed(con, table: Table, start: dt.date, end: dt.date, min_share: float, days: int = 7):
    """A loaded day has rows, and at least a set share of its trailing days' average, unless it is a declared bank
    holiday (reference.holidays): a collapsed day means records were lost, not a quiet day."""
    rows = con.execute(
        f"""WITH loads AS (
                SELECT business_date AS d, rows AS n, business_date IN (SELECT TRY_CAST(code AS DATE)
                       FROM reference.holidays) AS holiday
                FROM {LOADS} WHERE landing_file = $name AND business_date BETWEEN $lo AND $end)
            SELECT d, n, (SELECT avg(n) FROM loads h WHERE h.d BETWEEN l.d - {days} AND l.d - 1 AND NOT h.holiday)
            FROM loads l WHERE d >= $start AND NOT holiday ORDER BY d""",
        {"name": table.landing_file, "lo": start - dt.timedelta(days=days), "start": start, "end": end},
    ).fetchall()
    low = [(d, n, avg) for d, n, avg in rows if n == 0 or (avg is not None and n < min_share * avg)]
    listed = "; ".join(
        f"{d}: {n} rows" + (f" against a trailing {days}-day average of {avg:,.0f}" if avg is not None else "")
        for d, n, avg in low[:LISTED_DAYS]
    )
    floor = f"{min_share:.0%} of the trailing {days}-day average ({settings.MIN_VOLUME_SHARE_VAR})"
    summary = (
        f"{table.name}: {len(low)} days empty or under {floor}: {listed}{_more(len(low))}; if the bank was closed,"
        f" declare the day in holidays.csv in the reference folder (RISKHUB_REFERENCE_DIR), else deliver the day's"
        f" file again"
        if low
        else f"{table.name}: no loaded day empty or under {floor} (bank holidays aside)"
    )
    detail = {str(d): int(n) for d, n, _ in low}
    return CheckOutcome("day_volume_not_collapsed", not low, len(low), summary, detail)


def freshness(con, table: Table, end: dt.date | None, today: dt.date, max_lag_days: int = 2) -> CheckOutcome:
    """The latest business day loaded is recent on the morning the run's last day was due (warning only)."""
    due = today if end is None else min(today, end + dt.timedelta(days=1))
    source = f"{LOADS} WHERE landing_file = '{table.landing_file}'" if table.landing_file else table.name
    column = "business_date" if table.landing_file else table.partition_column
    latest = con.execute(f'SELECT max("{column}") FROM {source}').fetchone()[0]
    lag = None if latest is None else (due - latest).days
    passed = lag is not None and lag <= max_lag_days
    summary = (
        f"{table.name}: latest business day {latest}, {lag} days before {due}, when it was due (limit {max_lag_days})"
    )
    return CheckOutcome("freshness", passed, 0, summary, {"lag_days": lag if lag is not None else -1}, warn_only=True)


def _more(count: int) -> str:
    """What a message says of the days it does not detail."""
    return f"; and {count - LISTED_DAYS} more" if count > LISTED_DAYS else ""


def _reasons(con, name: str, day: dt.date) -> str:
    """The top reasons a landing file's records were quarantined on a day, with their counts."""
    return ", ".join(f"{kind} = {n}" for kind, n in quarantine_reasons(con, name, day, day, TOP_REASONS).items())


def _why_empty(con, table: Table, day: dt.date) -> str:
    """Where a day's landed rows stopped: each clean source's rows that day and why the rest were quarantined."""
    parts = []
    for source in (s for s in table.upstream if s.startswith("clean.")):
        day_rows = "SELECT count(*) FROM {} WHERE business_date = $day"
        clean = con.execute(day_rows.format(source), {"day": day}).fetchone()[0]
        quarantined = con.execute(day_rows.format(f"{source}_quarantine"), {"day": day}).fetchone()[0]
        why = f" ({quarantined} quarantined: {_reasons(con, source.split('.')[1], day)})" if quarantined else ""
        parts.append(f"{source} has {clean} rows{why}")
    return "; ".join(parts)


def landed_days_not_empty(con, table: Table, start: dt.date, end: dt.date) -> CheckOutcome:
    """A business day whose landing file had rows has rows here: an empty day means its records were lost."""
    empty = con.execute(
        f"""SELECT business_date, count(*), min(_file) FROM raw.{table.landed_from} r
            WHERE business_date BETWEEN $start AND $end
              AND NOT EXISTS (SELECT 1 FROM {table.name} t WHERE t."{table.partition_column}" = r.business_date)
            GROUP BY 1 ORDER BY 1""",
        {"start": start, "end": end},
    ).fetchall()
    listed = "; ".join(
        f"{day}: {file} landed {rows} rows but {table.name} has none: {_why_empty(con, table, day)}"
        for day, rows, file in empty[:LISTED_DAYS]
    )
    summary = (
        f"{table.name}: no rows on days that landed rows ({len(empty)}): {listed}{_more(len(empty))}"
        if empty
        else f"{table.name}: every day with landed {table.landed_from} rows has rows"
    )
    detail = {str(day): rows for day, rows, _ in empty}
    return CheckOutcome("landed_days_not_empty", not empty, sum(detail.values()), summary, detail)


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
    if table.landed_from:
        names.append("landed_days_not_empty")
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
        "landed_days_not_empty": lambda: landed_days_not_empty(con, table, start, end),
        "row_count_vs_trailing_days": lambda: row_count_vs_trailing_days(con, table, start, end),
        "freshness": lambda: freshness(con, table, end, today or dt.date.today()),
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


def _landed_by_day(con, name: str, start: dt.date, end: dt.date) -> list[tuple[dt.date, int, int, str]]:
    """Each business day of a landing file: its records landed (parsed or not), how many were quarantined, the file."""
    return con.execute(
        f"""WITH landed AS (
                SELECT business_date, _file FROM raw.{name} WHERE business_date BETWEEN $start AND $end
                UNION ALL SELECT business_date, _file FROM raw.{name}_rejects WHERE business_date BETWEEN $start AND $end),
            quarantined AS (SELECT business_date, count(*) AS n FROM clean.{name}_quarantine
                            WHERE business_date BETWEEN $start AND $end GROUP BY 1)
            SELECT l.business_date, count(*), coalesce(any_value(q.n), 0), min(l._file)
            FROM landed l LEFT JOIN quarantined q USING (business_date) GROUP BY 1 ORDER BY 1""",
        {"start": start, "end": end},
    ).fetchall()


def quarantine_rate(con, name: str, start: dt.date, end: dt.date, limit: float = 0.05) -> CheckOutcome:
    """No day quarantines more than a set share of a landing file's records: a day beyond it stops the load."""
    days = _landed_by_day(con, name, start, end)
    over = [(day, landed, quarantined, file) for day, landed, quarantined, file in days if quarantined > limit * landed]
    landed, quarantined = sum(d[1] for d in days), sum(d[2] for d in days)
    head = f"clean.{name}_quarantine: {quarantined} of {landed} landed records quarantined"
    listed = "; ".join(
        f"{day}: {file} had {q} of {n} records quarantined ({q / n:.1%}), top reasons: {_reasons(con, name, day)}"
        for day, n, q, file in over[:LISTED_DAYS]
    )
    limit_text = f"{limit * 100:g}% ({settings.MAX_QUARANTINE_RATE_VAR})"
    summary = (
        f"{head}; over the limit of {limit_text} on {len(over)} of {len(days)} days: {listed}{_more(len(over))}"
        if over
        else f"{head}; no day over the limit of {limit_text}"
    )
    detail = {"landed": landed, "quarantined": quarantined, "days_over_limit": len(over)}
    return CheckOutcome("quarantine_rate", not over, sum(d[2] for d in over), summary, detail)


WARN_ONLY = frozenset({"plausible_values", "row_count_vs_trailing_days", "freshness"})
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
        landed_days_not_empty,
        row_count_vs_trailing_days,
        day_volume_not_collapsed,
        freshness,
        row_conservation,
        quarantine_rate,
    )
}
