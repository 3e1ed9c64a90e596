"""Planting realistic data-quality defects in written landing files, and recording each one."""

import datetime
import pathlib

import numpy as np

from riskhub_assets.lib.contract import DATE_FORMATS, TIMESTAMP_FORMATS, TRANSACTIONS, LandingFile

DUPLICATE, ALT_DATE, MISSING, UNKNOWN_ACCOUNT, MALFORMED, BAD_AMOUNT, BAD_ENCODING = KINDS = (
    "duplicate",
    "alt_date_format",
    "missing_required",
    "unknown_account",
    "malformed",
    "impossible_amount",
    "bad_encoding",
)
"""Defect kinds; alt_date_format is legal under the contract and must be accepted by ingestion."""


def kinds_for(landing: LandingFile) -> list[str]:
    """The defects that make sense in this file."""
    names = [c.name for c in landing.columns]
    types = {c.type for c in landing.columns}
    return [
        kind
        for kind, fits in (
            (DUPLICATE, True),
            (ALT_DATE, bool(types & {"date", "timestamp"})),
            (MISSING, True),
            (UNKNOWN_ACCOUNT, landing is TRANSACTIONS),
            (MALFORMED, True),
            (BAD_AMOUNT, "amount" in names),
            (BAD_ENCODING, "full_name" in names),
        )
        if fits
    ]


def _alt_date(value: str, kind: str, rng: np.random.Generator) -> str:
    formats = DATE_FORMATS if kind == "date" else TIMESTAMP_FORMATS
    parsed = datetime.datetime.strptime(value, formats[0])
    return parsed.strftime(formats[1 + rng.integers(len(formats) - 1)])


def _bad_amount(value: str, rng: np.random.Generator) -> str:
    choice = rng.integers(4)
    if choice == 0:
        return f"-{value or '10.00'}"
    if choice == 1:
        return "0.00"
    if choice == 2:
        return f"{1_000_000 + rng.integers(1, 9_000_000)}.00"
    return f'"{(value or "12.3").replace(".", ",")}x"'


def _latin1(value: bytes) -> bytes:
    encoded = value.decode("utf-8").encode("latin-1", errors="replace")
    return encoded if encoded != value else encoded.replace(b"e", b"\xe9", 1) + (b"" if b"e" in encoded else b"\xe9")


def _corrupt(fields: list[bytes], kind: str, landing: LandingFile, rng: np.random.Generator) -> tuple[list, str | None]:
    """Apply one defect (other than duplication) to a row's fields; returns them and the column touched, if one."""
    columns = landing.columns
    if kind == MALFORMED:
        return (fields[:-1] if rng.random() < 0.5 else fields + [b"x"]), None
    if kind == ALT_DATE:
        options = [i for i, c in enumerate(columns) if c.type in ("date", "timestamp") and fields[i]]
        i = options[rng.integers(len(options))]
        fields[i] = _alt_date(fields[i].decode(), columns[i].type, rng).encode()
    elif kind == MISSING:
        options = [i for i, c in enumerate(columns) if c.required and c.name != landing.key]
        i = options[rng.integers(len(options))]
        fields[i] = b""
    elif kind == UNKNOWN_ACCOUNT:
        i = landing.header.index("account_id")
        fields[i] = f"A9{rng.integers(0, 10**8):08d}".encode()
    elif kind == BAD_AMOUNT:
        i = landing.header.index("amount")
        fields[i] = _bad_amount(fields[i].decode(), rng).encode()
    else:
        i = landing.header.index("full_name" if rng.random() < 0.5 else "address")
        fields[i] = _latin1(fields[i])
    return fields, columns[i].name


def corrupt(path: pathlib.Path, landing: LandingFile, rate: float, rng: np.random.Generator) -> list[dict]:
    """Corrupt a share `rate` of the file's rows in place; returns one record per defect (line 1 = header)."""
    lines = path.read_bytes().split(b"\n")
    header, rows = lines[0], lines[1:-1]
    count = rng.binomial(len(rows), rate)
    if count == 0:
        return []
    kinds = kinds_for(landing)
    chosen = dict(
        zip(
            np.sort(rng.choice(len(rows), count, replace=False)).tolist(),
            (kinds[k] for k in rng.integers(len(kinds), size=count)),
        )
    )
    key = landing.header.index(landing.key)
    out, records = [header], []
    for i, row in enumerate(rows):
        kind = chosen.get(i)
        if kind is None:
            out.append(row)
            continue
        fields = row.split(b",")
        record = {"file": landing.filename, "key": fields[key].decode(), "kind": kind}
        if kind == DUPLICATE:
            out.append(row)
            out.append(row)
            records.append({**record, "line": len(out), "column": None})
            continue
        fields, column = _corrupt(fields, kind, landing, rng)
        out.append(b",".join(fields))
        records.append({**record, "line": len(out), "column": column})
    path.write_bytes(b"\n".join(out) + b"\n")
    return records
