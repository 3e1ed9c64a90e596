"""Loading landing CSVs as landed into raw tables, with parse rejects kept and reasons stated."""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from riskhub_assets.lib.contract import LandingFile, free_text
from riskhub_assets.lib.conversion import converted_select
from riskhub_assets.lib.erasure import suppress_erased
from riskhub_assets.lib.landing_lines import Span, line_texts, record_spans, single_line_records, swallowed_reason
from riskhub_assets.lib.mapping import SourceMapping
from riskhub_assets.lib.sqltext import days, describe, literal
from riskhub_assets.tables.landing import LANDING_LOADS, rejects_table

LOADS = LANDING_LOADS.name


class LandingError(Exception):
    """A landing file is missing or does not follow the contract; the day cannot be loaded."""


@dataclass(frozen=True)
class RawLoad:
    """What one day's file gave: rows loaded, lines rejected as unparseable, and what the bank did not send."""

    day: dt.date
    path: Path
    rows: int
    rejected: int
    absent: bool = False  # an optional file not sent that day: no rows
    columns_not_sent: tuple[str, ...] = ()  # optional columns left out of the header: loaded as empty
    erased: int = 0  # rows of erased clients left out (raw.erased_on_load)


def landing_file(landing_dir: Path, day: dt.date, spec: LandingFile, mapping: SourceMapping | None = None) -> Path:
    """Path of a day's landing file: <landing>/YYYY-MM-DD/<name>.csv, or the file name the bank's mapping gives."""
    return landing_dir / day.isoformat() / (mapping.file if mapping else spec.filename)


def _check_present(path: Path, mapping: SourceMapping | None) -> None:
    if not path.is_file():
        expected = (
            f"by the mapping {mapping.source}"
            if mapping
            else "in every day folder of the landing zone (RISKHUB_LANDING_DIR), with its header line alone on a day"
            " without records; an export with its own file names needs a mapping, RISKHUB_MAPPING_DIR"
        )
        raise LandingError(f"landing file missing: {path} (expected {expected}; see docs/bring_your_own_bank.md)")


def check_header(path: Path, spec: LandingFile) -> list[str]:
    """The file's columns; refuse a missing file or a header that is not the contract's (optional columns may be left
    out), naming what differs."""
    _check_present(path, None)
    with path.open("rb") as f:
        first = f.readline().decode("utf-8-sig", errors="replace").strip()
    header = [c.strip().strip('"') for c in first.split(",")]
    required = [c.name for c in spec.columns if c.required]
    if [c for c in spec.header if c in header] != header or not set(required) <= set(header):
        missing = [c for c in required if c not in header]
        extra = [c for c in header if c not in spec.header]
        raise LandingError(
            f"wrong header in {path}: expected {','.join(spec.header)}; got {first!r}"
            f" (missing: {missing or 'none'}, unexpected: {extra or 'none'}, order matters; optional columns may be"
            " left out): write the contract's header line, see docs/landing_contract.md"
        )
    return header


def raw_table_ddl(spec: LandingFile) -> list[str]:
    """DDL for the raw table (every contract column as VARCHAR plus load metadata) and its rejects."""
    cols = ", ".join(f'"{c}" VARCHAR' for c in spec.header)
    return [
        "CREATE SCHEMA IF NOT EXISTS raw",
        f"CREATE TABLE IF NOT EXISTS raw.{spec.name} ({cols}, business_date DATE NOT NULL,"
        " _file VARCHAR NOT NULL, _row_number BIGINT NOT NULL, _loaded_at TIMESTAMP NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS raw.{spec.name}_rejects (business_date DATE NOT NULL, _file VARCHAR NOT NULL,"
        " _row_number BIGINT NOT NULL, error_type VARCHAR, reason VARCHAR, record VARCHAR, _loaded_at TIMESTAMP NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {LOADS} (landing_file VARCHAR NOT NULL, business_date DATE NOT NULL,"
        " _file VARCHAR NOT NULL, rows BIGINT NOT NULL, rejected BIGINT NOT NULL, _loaded_at TIMESTAMP NOT NULL)",
    ]


def mapped_header(path: Path, mapping: SourceMapping) -> list[str]:
    """The bank file's header; refuse a missing file or one lacking a column the mapping reads, naming both."""
    _check_present(path, mapping)
    with path.open(encoding=mapping.encoding, errors="replace", newline="") as f:
        first = f.readline().lstrip("\ufeff")  # a byte order mark is not part of the first column's name
    header = [c.strip().strip(mapping.quote).strip() for c in first.rstrip("\r\n").split(mapping.delimiter)]
    missing = sorted({c for c in mapping.columns.values() if c not in header})
    repeated = sorted({c for c in header if header.count(c) > 1})
    if missing or repeated:
        raise LandingError(
            f"wrong header in {path} for the mapping {mapping.source}: got {first.strip()!r}"
            f" (missing: {missing or 'none'}, repeated: {repeated or 'none'}; delimiter {mapping.delimiter!r})"
        )
    return header


def _read_csv_sql(header: list[str], rejects: str, mapping: SourceMapping | None) -> str:
    columns = ", ".join(f"{literal(c)}: 'VARCHAR'" for c in header)
    delimiter, quote = (mapping.delimiter, mapping.quote) if mapping else (",", '"')
    encoding = mapping.encoding if mapping else "utf-8"
    return (
        f"read_csv($path, header=true, columns={{{columns}}}, auto_detect=false, delim={literal(delimiter)},"
        f" quote={literal(quote)}, escape={literal(quote)}, encoding={literal(encoding)}, strict_mode=true,"
        f" store_rejects=true, rejects_table='{rejects}', rejects_scan='{rejects}_scan')"
    )


def _clear_day(con: duckdb.DuckDBPyConnection, spec: LandingFile, day: dt.date) -> None:
    """Remove a business day from the raw table and its rejects, so a reload replaces it."""
    con.execute(f"DELETE FROM raw.{spec.name} WHERE business_date = $day", {"day": day})
    con.execute(f"DELETE FROM raw.{spec.name}_rejects WHERE business_date = $day", {"day": day})


def load_raw_day(
    con: duckdb.DuckDBPyConnection,
    spec: LandingFile,
    path: Path,
    day: dt.date,
    mapping: SourceMapping | None = None,
    erasure_key: bytes = b"",
) -> RawLoad:
    """Replace one business day of a raw table with the file's rows, in the contract's columns and canonical text when
    the bank's mapping is given; unparseable lines go to its rejects table, every data line accounted for; rows of
    erased clients are left out and counted (the ledger is matched with `erasure_key`, the pseudonymisation key).

    An optional file the bank did not send loads no rows and says so; a required one missing is an error."""
    if spec.optional and not path.exists():
        _clear_day(con, spec, day)
        return _record_load(con, spec, RawLoad(day=day, path=path, rows=0, rejected=0, absent=True))
    if mapping:
        header, cols = mapped_header(path, mapping), converted_select(mapping)
        sent = {*mapping.columns, *mapping.constants}
    else:
        header = check_header(path, spec)
        cols, sent = ", ".join(f'"{c}"' if c in header else "NULL" for c in spec.header), set(header)
    rejects = f"rejects_{spec.name}"
    params = {"path": str(path), "day": day}
    _clear_day(con, spec, day)
    # DuckDB keeps file order (preserve_insertion_order), so row_number() over () is the record's ordinal.
    con.execute(
        f"INSERT INTO raw.{spec.name} SELECT {cols}, $day, $path, row_number() OVER () + 1, now()"
        f" FROM {_read_csv_sql(header, rejects, mapping)}",
        params,
    )
    rows, rejected = _reconcile(con, spec, rejects, params, mapping)
    con.execute(f"DROP TABLE IF EXISTS {rejects}; DROP TABLE IF EXISTS {rejects}_scan")
    erased = suppress_erased(con, spec, day, str(path), erasure_key)
    rows -= erased
    _record_load(con, spec, RawLoad(day=day, path=path, rows=rows, rejected=rejected))
    not_sent = tuple(c for c in spec.header if c not in sent)
    return RawLoad(day=day, path=path, rows=rows, rejected=rejected, columns_not_sent=not_sent, erased=erased)


def _record_load(con: duckdb.DuckDBPyConnection, spec: LandingFile, load: RawLoad) -> RawLoad:
    """Record that a day of a landing file was loaded (an optional file not sent too: the day is not late)."""
    key = {"name": spec.name, "day": load.day}
    con.execute(f"DELETE FROM {LOADS} WHERE landing_file = $name AND business_date = $day", key)
    con.execute(
        f"INSERT INTO {LOADS} VALUES ($name, $day, $path, $rows, $rejected, now())",
        {**key, "path": str(load.path), "rows": load.rows, "rejected": load.rejected},
    )
    return load


def _reconcile(
    con: duckdb.DuckDBPyConnection,
    spec: LandingFile,
    rejects: str,
    params: dict,
    mapping: SourceMapping | None,
) -> tuple[int, int]:
    """Check that the file's records are its loaded rows plus its rejected records, refusing the load otherwise; keep
    every line of a rejected record as a reject and give loaded rows their physical line; the rows and lines kept."""
    path = Path(params["path"])
    dialect = {"delimiter": mapping.delimiter, "quote": mapping.quote} if mapping else {}
    encoding = mapping.encoding if mapping else "utf-8"
    day = {"day": params["day"]}
    rows = con.execute(f"SELECT count(*) FROM raw.{spec.name} WHERE business_date = $day", day).fetchone()[0]
    if not con.execute(f"SELECT count(*) FROM {rejects}").fetchone()[0] and single_line_records(path, encoding, rows):
        return rows, 0  # the common case: each data line one loaded record, numbered by the reader already
    spans = record_spans(path, encoding, **dialect)
    failed = con.execute(
        f"SELECT line, string_agg(DISTINCT error_type, '; '), string_agg(DISTINCT error_type || ': ' || error_message,"
        f" '; ') FROM {rejects} GROUP BY line ORDER BY line"
    ).fetchall()
    records = sum(span is not None for span in spans)
    broken = {line: spans[line - 2] for line, _, _ in failed if 2 <= line < len(spans) + 2}
    if rows + len(failed) != records or None in broken.values() or len(broken) != len(failed):
        raise LandingError(
            f"{path} does not reconcile: its data lines hold {records} records, but the CSV reader loaded"
            f" {rows} and rejected {len(failed)}; check its quoting (a quote opened and not closed) and line ends,"
            " then deliver it again (see docs/landing_contract.md)"
        )
    loaded = [span for i, span in enumerate(spans, start=2) if span is not None and i not in broken]
    swallowing = _swallowing_rows(con, spec, loaded, params["day"])
    rejected = [_rejected_lines(broken[line], error_type, reason) for line, error_type, reason in failed]
    rejected += [_rejected_lines(span, "", "") for span in swallowing]
    _record_rejects(con, spec, [r for lines in rejected for r in lines], params, encoding)
    _number_rows(con, spec, loaded, params["day"])
    return rows - len(swallowing), sum(len(lines) for lines in rejected)


def _swallowing_rows(con: duckdb.DuckDBPyConnection, spec: LandingFile, loaded: list[Span], day: dt.date) -> list[Span]:
    """Remove the loaded rows whose quoted line break sits in a value that cannot hold one (an amount, a code, a key):
    a quote left open that closed lines later; the lines they span."""
    structured = [c.name for c in spec.columns if not free_text(c)]
    breaks = " OR ".join(f"regexp_matches(\"{c}\", '[\\r\\n]')" for c in structured)
    ordinals = con.execute(
        f"DELETE FROM raw.{spec.name} WHERE business_date = $day AND ({breaks}) RETURNING _row_number - 1",
        {"day": day},
    ).fetchall()
    return [loaded[ordinal - 1] for (ordinal,) in ordinals]


def _rejected_lines(span: Span, error_type: str, reason: str) -> list[tuple[int, str, str]]:
    """Each physical line of a rejected record with its error type and reason (a quote's swallowed lines name it)."""
    if span.first == span.last:
        return [(span.first, error_type, reason)]
    return [(line, "UNTERMINATED QUOTE", swallowed_reason(span)) for line in span.lines]


def _record_rejects(
    con: duckdb.DuckDBPyConnection, spec: LandingFile, lines: list[tuple[int, str, str]], params: dict, encoding: str
) -> None:
    """Keep rejected lines with their physical line number, reason and text as landed."""
    if not lines:
        return
    numbers, types, reasons = (list(column) for column in zip(*lines))
    texts = line_texts(Path(params["path"]), set(numbers), encoding)
    con.execute(
        f"INSERT INTO raw.{spec.name}_rejects SELECT $day, $path, unnest($numbers), unnest($types), unnest($reasons),"
        " unnest($texts), now()",
        {**params, "numbers": numbers, "types": types, "reasons": reasons, "texts": [texts[n] for n in numbers]},
    )


def _number_rows(con: duckdb.DuckDBPyConnection, spec: LandingFile, loaded: list[Span], day: dt.date) -> None:
    """Give each loaded row the physical line its record starts on (its ordinal + 1 while no line was blank, rejected
    or broken by a quoted line break)."""
    starts = [span.first for span in loaded]
    if starts == list(range(2, len(starts) + 2)):
        return
    con.execute(
        f"UPDATE raw.{spec.name} AS r SET _row_number = m.line FROM (SELECT unnest($starts) AS line,"
        " generate_subscripts($starts, 1) AS ordinal) m WHERE r.business_date = $day AND r._row_number = m.ordinal + 1",
        {"starts": starts, "day": day},
    )


def load_raw_days(
    con: duckdb.DuckDBPyConnection,
    spec: LandingFile,
    landing_dir: Path,
    start: dt.date,
    end: dt.date,
    mapping: SourceMapping | None = None,
    erasure_key: bytes = b"",
) -> list[RawLoad]:
    """Replace business days start..end of a raw table by each day's landing file (read through the bank's mapping
    when given), leaving erased clients out; what each day's file gave."""
    for ddl in raw_table_ddl(spec):
        con.execute(ddl)
    describe(con, rejects_table(spec))
    describe(con, LANDING_LOADS)
    return [
        load_raw_day(con, spec, landing_file(landing_dir, day, spec, mapping), day, mapping, erasure_key)
        for day in days(start, end)
    ]


def not_sent(loads: list[RawLoad]) -> dict[str, str]:
    """What the bank did not send over a run's days, in words: an optional file's absent days, optional columns left out."""
    said = {}
    absent = [load.day.isoformat() for load in loads if load.absent]
    if absent:
        said["file_not_sent"] = (
            f"optional file {loads[0].path.name} not sent on {len(absent)} of {len(loads)} days"
            f" ({absent[0]}..{absent[-1]}): no rows loaded for those days"
        )
    columns = sorted({c for load in loads for c in load.columns_not_sent})
    if columns:
        said["columns_not_sent"] = f"optional columns not in the header, loaded as empty: {', '.join(columns)}"
    return said
