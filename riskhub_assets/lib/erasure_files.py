"""Right to erasure in files: the landing archive, the daily reports, the BI exports and MLflow's artifacts.

Delimited files are rewritten record by record, keeping every other record's text exactly as it was (delimiter,
quoting, encoding, line ends: the format the bank sent); each file is replaced atomically.
"""

import csv
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from riskhub_assets.lib.contract import LANDING_FILES
from riskhub_assets.lib.erasure import Identity, Place, client_owned
from riskhub_assets.lib.mapping import SourceMapping
from riskhub_assets.lib.sqltext import identifier, literal

MIN_SHARED_COLUMNS = 3
"""Numeric columns a sample without identifiers must share with the client's feature rows for a row to be matched."""


def _replace(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.erasing")
    partial.write_bytes(data)
    os.replace(partial, path)


def _records(text: str, delimiter: str, quote: str) -> Iterator[tuple[str, list[str] | None]]:
    """Each record of delimited text as it stands in the file, with its fields (None when it does not parse)."""
    consumed: list[str] = []

    def lines() -> Iterator[str]:
        for line in re.findall(r"[^\n]*\n|[^\n]+$", text):
            consumed.append(line)
            yield line

    reader = csv.reader(lines(), delimiter=delimiter, quotechar=quote)
    try:
        for fields in reader:
            yield "".join(consumed), fields
            consumed.clear()
    except csv.Error:  # an unterminated quote swallows the rest: matched by its words
        yield "".join(consumed), None


def rewrite_delimited(
    path: Path, identity: Identity, columns: dict[str, str], delimiter: str = ",", quote: str = '"', encoding="utf-8"
) -> tuple[int, int]:
    """Rewrite a delimited file without the client's records (`columns`: identifying column -> header name); the
    records before and after. A record that does not parse is dropped when it quotes one of the client's
    identifiers."""
    text = path.read_bytes().decode(encoding)
    records = _records(text, delimiter, quote)
    header_text, header = next(records, ("", None))
    names = [h.strip().lstrip("\ufeff") for h in header or []]
    positions = {names.index(name): column for column, name in columns.items() if name in names}
    words = re.compile(identity.token_pattern())
    kept, before = [header_text], 0
    for raw, fields in records:
        before += 1
        if fields is not None and len(fields) == len(names):
            theirs = any(fields[i].strip() in identity.values[c] for i, c in positions.items())
        else:
            theirs = bool(words.search(raw))
        if not theirs:
            kept.append(raw)
    if len(kept) - 1 < before:
        _replace(path, "".join(kept).encode(encoding))
    return before, len(kept) - 1


def _landing_columns(spec, mapping: SourceMapping | None, identity: Identity) -> dict[str, str]:
    """The header names of a landing file's identifying columns, through the bank's mapping when there is one."""
    ids = [c.name for c in spec.columns if c.name in identity.values]
    return {c: mapping.columns[c] for c in ids if c in mapping.columns} if mapping else {c: c for c in ids}


def erase_landing(landing: Path, mappings: dict[str, SourceMapping], identity: Identity) -> list[Place]:
    """Rewrite every day folder's client-owned landing files without the client's records, in the bank's format."""
    places = []
    for spec in (s for s in LANDING_FILES if client_owned(s)):
        mapping = mappings.get(spec.name)
        name = mapping.file if mapping else spec.filename
        style = (
            {"delimiter": mapping.delimiter, "quote": mapping.quote, "encoding": mapping.encoding} if mapping else {}
        )
        columns = _landing_columns(spec, mapping, identity)
        before = after = files = changed = 0
        for path in sorted(landing.glob(f"*/{name}")):
            rows = rewrite_delimited(path, identity, columns, **style)
            before, after, files, changed = before + rows[0], after + rows[1], files + 1, changed + (rows[0] > rows[1])
        if files:
            action = f"{changed} of {files} day files rewritten without the client's records, in the bank's format"
            places.append(Place(f"landing/*/{name}", before, after, action))
    return places


def _scrub(value, tokens: frozenset[str]) -> tuple[object, int, int]:
    """A report value without the client, and its records (objects in lists) before and after: a record naming one of
    their identifiers is dropped, a lone value naming one emptied."""
    if isinstance(value, dict):
        parts = {k: _scrub(v, tokens) for k, v in value.items()}
        return {k: p[0] for k, p in parts.items()}, sum(p[1] for p in parts.values()), sum(p[2] for p in parts.values())
    if isinstance(value, list):
        parts = [(_scrub(v, tokens), isinstance(v, dict) and _names(v, tokens)) for v in value]
        records = sum(isinstance(v, dict) for v in value)
        kept = [(p, isinstance(v, dict)) for (p, theirs), v in zip(parts, value) if not theirs]
        before = records + sum(p[1] for p, _ in parts)
        after = sum(is_record for _, is_record in kept) + sum(p[2] for p, _ in kept)
        return [p[0] for p, _ in kept], before, after
    if isinstance(value, str) and value.strip() in tokens:
        return None, 0, 0
    return value, 0, 0


def _names(record: dict, tokens: frozenset[str]) -> bool:
    return any(isinstance(v, str) and v.strip() in tokens for v in record.values())


def erase_reports(reports: Path, identity: Identity) -> list[Place]:
    """Rewrite the daily JSON reports without the records naming the client (top alerts and the like)."""
    before = after = changed = 0
    files = sorted(reports.glob("*.json")) if reports.is_dir() else []
    for path in files:
        report, b, a = _scrub(json.loads(path.read_text()), identity.tokens)
        before, after = before + b, after + a
        if a < b or report != json.loads(path.read_text()):
            _replace(path, json.dumps(report, indent=2, allow_nan=False).encode())
            changed += 1
    if not files:
        return []
    return [Place(f"{reports.name}/*.json", before, after, f"{changed} of {len(files)} reports rewritten")]


def erase_parquet(con: duckdb.DuckDBPyConnection, path: Path, identity: Identity) -> tuple[int, int]:
    """Rewrite a Parquet file without the client's rows; rows before and after."""
    source = f"read_parquet({literal(str(path))})"
    columns = [c for (c, *_) in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall() if c in identity.values]
    before = con.execute(f"SELECT count(*) FROM {source}").fetchone()[0]
    if not columns:
        return before, before
    values = {c: sorted(identity.values[c]) for c in columns}
    keep = " AND ".join(
        f"coalesce(trim(CAST({identifier(c)} AS VARCHAR)) NOT IN $v{i}, true)" for i, c in enumerate(columns)
    )
    params = {f"v{i}": values[c] for i, c in enumerate(columns)}
    after = con.execute(f"SELECT count(*) FROM {source} WHERE {keep}", params).fetchone()[0]
    if after < before:
        partial = path.with_name(f".{path.name}.erasing")
        con.execute(f"COPY (SELECT * FROM {source} WHERE {keep}) TO {literal(str(partial))} (FORMAT parquet)", params)
        os.replace(partial, path)
    return before, after


def erase_exports(bi: Path, identity: Identity) -> list[Place]:
    """Rewrite the Parquet and CSV exports beside the BI database without the client's rows."""
    if not bi.is_dir():
        return []
    with duckdb.connect() as con:
        places = [
            Place(str(p.relative_to(bi.parent)), *erase_parquet(con, p, identity))
            for p in sorted(bi.rglob("*.parquet"))
        ]
    csvs = [_erase_csv(path, identity) for path in sorted(bi.rglob("*.csv"))]
    if csvs:
        rewritten = sum(before > after for before, after in csvs)
        action = f"{rewritten} of {len(csvs)} CSV exports rewritten without the client's rows"
        places.append(Place(f"{bi.name}/**/*.csv", sum(b for b, _ in csvs), sum(a for _, a in csvs), action))
    return places


def _erase_csv(path: Path, identity: Identity) -> tuple[int, int]:
    with path.open(encoding="utf-8", errors="replace") as f:
        header = next(csv.reader(f), [])
    return rewrite_delimited(path, identity, {c: c for c in header if c in identity.values})


def _matching_rows(sample: pd.DataFrame, theirs: pd.DataFrame) -> np.ndarray:
    """Rows of a sample without identifiers that equal one of the client's rows on every numeric column they share."""
    shared = [c for c in sample.select_dtypes("number").columns if c in theirs.select_dtypes("number").columns]
    if len(shared) < MIN_SHARED_COLUMNS or theirs.empty or sample.empty:
        return np.zeros(len(sample), dtype=bool)
    s = sample[shared].to_numpy(float)[:, None, :]
    t = theirs[shared].to_numpy(float)[None, :, :]
    same = np.isclose(s, t, rtol=1e-9, atol=1e-12) | (np.isnan(s) & np.isnan(t))
    return same.all(axis=2).any(axis=1)


def _erase_sample_csv(path: Path, identity: Identity, theirs: list[pd.DataFrame]) -> tuple[int, int] | None:
    """A logged sample (training baseline, deciles...): the client's rows by identifier, else by their values; None
    when the file is not a readable CSV."""
    try:
        before, after = _erase_csv(path, identity)
        sample = pd.read_csv(path) if after else pd.DataFrame()
    except (UnicodeDecodeError, pd.errors.ParserError):
        return None
    mine = np.zeros(len(sample), dtype=bool)
    for frame in theirs:
        mine |= _matching_rows(sample, frame)
    if mine.any():
        _replace(path, sample[~mine].to_csv(index=False).encode())
    return before, after - int(mine.sum())


def _erase_sample_json(path: Path, identity: Identity, theirs: list[pd.DataFrame]) -> tuple[int, int] | None:
    """A model's input example (pandas split JSON, alone or under dataframe_split); None when it is not one."""
    try:
        document = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    split = document.get("dataframe_split", document) if isinstance(document, dict) else None
    if not isinstance(split, dict) or not {"columns", "data"} <= set(split):
        return None
    sample = pd.DataFrame(split["data"], columns=split["columns"])
    mine = np.array([any(str(v).strip() in identity.tokens for v in row) for row in split["data"]], dtype=bool)
    for frame in theirs:
        mine |= _matching_rows(sample, frame)
    if mine.any():
        split["data"] = [row for row, drop in zip(split["data"], mine) if not drop]
        split.pop("index", None)
        _replace(path, json.dumps(document).encode())
    return len(mine), int((~mine).sum())


def erase_artifacts(root: Path, identity: Identity, theirs: list[pd.DataFrame]) -> list[Place]:
    """Rewrite MLflow's logged samples (training baselines, input examples) without the client's rows; delete any other
    artifact that quotes one of their identifiers, as it cannot be rewritten."""
    places = []
    words = re.compile(identity.token_pattern().encode())
    samples = {".csv": _erase_sample_csv, ".json": _erase_sample_json}
    for path in sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []:
        name = str(path.relative_to(root.parent))
        rows = samples[path.suffix](path, identity, theirs) if path.suffix in samples else None
        if rows is not None and rows[0] != rows[1]:
            places.append(Place(name, *rows, "rows rewritten"))
        elif rows is None and words.search(path.read_bytes()):
            path.unlink()
            places.append(Place(name, 1, 0, "file deleted: it quoted the client and cannot be rewritten"))
    return places
