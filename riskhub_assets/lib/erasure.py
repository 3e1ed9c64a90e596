"""Right to erasure in the warehouse: who a client is in every table, removing their rows, and the ledger that keeps
them out of later loads.

A client is identified by their client number and by the keys of every record that belongs to them: their accounts
and each landing file's records that carry their client or account number (transactions, events, balances,
holdings, facilities). Which columns identify a client follows from the landing contract, and which tables hold them
from the table registry, so a new landing file or table is covered without touching this module.
"""

import datetime as dt
import re
from dataclasses import dataclass

import duckdb

from riskhub_assets.lib.contract import LANDING_FILES, LandingFile
from riskhub_assets.lib.pseudonymise import hmac_pads, hmac_sql, pseudonym
from riskhub_assets.lib.sqltext import identifier
from riskhub_assets.tables import registry

CLIENT, ACCOUNT = "client_id", "account_id"
OWNER_COLUMNS = (CLIENT, ACCOUNT)
"""What ties a record to a client: their client number, or an account they own."""
PSEUDONYM_SUFFIX = "_pseudonym"
LEDGER = "raw.erasures"
"""One row per identifier of an erased client (client and account numbers) as a keyed hash, never in clear: what
keeps a re-delivered landing file from bringing the client back."""
ERASED_ON_LOAD = "raw.erased_on_load"
"""Rows of a landing file left out at load because they belong to an erased client, per file and business day: what
a reconciliation of landed lines adds to the loaded and rejected ones."""
HASH_DOMAIN = "riskhub-erasure:"
"""Prefix hashed with each identifier, so a ledger hash never equals a pseudonym of the same text."""


class ErasureError(Exception):
    """The erasure cannot proceed; the message says what to fix."""


def client_owned(spec: LandingFile) -> bool:
    """A landing file whose records belong to one client: it carries a client or account number."""
    return any(c.name in OWNER_COLUMNS for c in spec.columns)


def identifying_columns() -> tuple[str, ...]:
    """Columns whose value identifies a client or one of their records: the owner columns and the key of every
    client-owned landing file (transaction, event, holding and facility numbers)."""
    keys = (spec.key for spec in LANDING_FILES if client_owned(spec))
    return tuple(dict.fromkeys((*OWNER_COLUMNS, *keys)))


def erasure_reference(client_id: str, key: bytes) -> str:
    """The keyed hash an erasure is known by in the ledger and the certificate: never the client number in clear."""
    return pseudonym(HASH_DOMAIN + client_id.strip(), key)


def stored_columns(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    """The stored columns of a table; empty when it does not exist."""
    schema, short = name.rsplit(".", 1)
    return [
        c
        for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = $s AND table_name = $t ORDER BY column_index",
            {"s": schema.split(".")[-1], "t": short},
        ).fetchall()
    ]


def stored_tables() -> list[str]:
    """Every table of the registry, and the rejects of each raw table (unparseable lines kept as landed)."""
    names = list(registry())
    return names + [f"{n}_rejects" for n in names if n.startswith("raw.")]


@dataclass(frozen=True)
class Identity:
    """Everything that identifies one client: each identifying column's values, and their pseudonyms."""

    values: dict[str, frozenset[str]]  # identifying column -> values
    pseudonyms: frozenset[str]

    @property
    def tokens(self) -> frozenset[str]:
        """Every identifier, as text may quote it."""
        return frozenset(v for values in self.values.values() for v in values) | self.pseudonyms

    def token_pattern(self) -> str:
        """A regular expression matching the client or account number or a pseudonym as a whole word of a text (a
        quarantined record): every record of theirs quotes one, and the pattern stays small however many records."""
        owners = {v for c in OWNER_COLUMNS for v in self.values.get(c, ())} | self.pseudonyms
        words = "|".join(re.escape(t) for t in sorted(owners, key=len, reverse=True))
        return f"(^|[^A-Za-z0-9_])({words})([^A-Za-z0-9_]|$)"


def _load_identity(con: duckdb.DuckDBPyConnection, identity: dict[str, set[str]]) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE erasure_identity (column_name VARCHAR, value VARCHAR)")
    rows = [(c, v) for c, values in identity.items() for v in values]
    if rows:
        con.executemany("INSERT INTO erasure_identity VALUES (?, ?)", rows)


def _matches(column: str) -> str:
    """SQL true when a row's column holds one of the client's identifiers (loaded in erasure_identity)."""
    return (
        f"trim(CAST({identifier(column)} AS VARCHAR)) IN"
        f" (SELECT value FROM erasure_identity WHERE column_name = '{column}')"
    )


def find_identity(con: duckdb.DuckDBPyConnection, client_id: str) -> Identity:
    """Every identifier of the client found in the warehouse: their accounts, then every record of theirs, repeated
    until nothing new is found; and the pseudonyms of their personal data."""
    found: dict[str, set[str]] = {c: set() for c in identifying_columns()}
    found[CLIENT].add(client_id.strip())
    tables = [(t, [c for c in stored_columns(con, t) if c in found]) for t in stored_tables()]
    tables = [(t, cols) for t, cols in tables if len(cols) > 1]
    size = -1
    while size != sum(map(len, found.values())):
        size = sum(map(len, found.values()))
        _load_identity(con, found)
        for name, cols in tables:
            owned = " OR ".join(_matches(c) for c in cols)
            for c in cols:
                values = con.execute(
                    f"SELECT DISTINCT trim(CAST({identifier(c)} AS VARCHAR)) FROM {name} WHERE ({owned})"
                    f" AND {identifier(c)} IS NOT NULL"
                ).fetchall()
                found[c].update(v for (v,) in values if v)
    return Identity({c: frozenset(v) for c, v in found.items()}, frozenset(_pseudonyms(con)))


def _pseudonyms(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The pseudonyms stored beside the client's number (name, address, e-mail, phone, national id)."""
    found = set()
    for name in stored_tables():
        columns = stored_columns(con, name)
        if CLIENT not in columns:
            continue
        for c in (c for c in columns if c.endswith(PSEUDONYM_SUFFIX)):
            rows = con.execute(f"SELECT DISTINCT {identifier(c)} FROM {name} WHERE {_matches(CLIENT)}").fetchall()
            found.update(v for (v,) in rows if v)
    return found


@dataclass(frozen=True)
class Place:
    """One place the client was erased from: rows (or records, or files) before and after, and what was done."""

    place: str
    before: int
    after: int
    action: str = "rows deleted"


def _condition(con: duckdb.DuckDBPyConnection, name: str, identity: Identity) -> str | None:
    """SQL true for a row of the table that belongs to the client; None when the table holds no identifier.

    Rows are matched on identifying columns; a pseudonym column only where the table has none (a homonym's row
    beside their own client number is not theirs); a landed record kept as text (rejects, quarantine) by its words."""
    columns = stored_columns(con, name)
    ids = [c for c in columns if c in identity.values]
    pseudonym_columns = [] if ids else [c for c in columns if c.endswith(PSEUDONYM_SUFFIX)]
    parts = [_matches(c) for c in ids]
    parts += [
        f"{identifier(c)} IN (SELECT value FROM erasure_identity WHERE column_name = '*')" for c in pseudonym_columns
    ]
    if "record" in columns and identity.tokens:
        parts.append("regexp_matches(coalesce(record, ''), $pattern)")
    return " OR ".join(parts) or None


def erase_tables(con: duckdb.DuckDBPyConnection, names: list[str], identity: Identity, prefix: str = "") -> list[Place]:
    """Delete the client's rows from each table that holds an identifier; the rows before and after, per table."""
    _load_identity(con, {**identity.values, "*": identity.pseudonyms})
    places = []
    for name in names:
        condition = _condition(con, name, identity)
        if condition is None:
            continue
        params = {"pattern": identity.token_pattern()} if "$pattern" in condition else {}
        before = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        con.execute(f"DELETE FROM {name} WHERE {condition}", params)
        after = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        places.append(Place(prefix + name, before, after))
    return places


def database_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    """Every table of an attached database, as catalog.schema.table."""
    rows = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = $c ORDER BY ALL", {"c": catalog}
    ).fetchall()
    return [f"{catalog}.{s}.{t}" for s, t in rows]


def record_erasure(con: duckdb.DuckDBPyConnection, identity: Identity, reference: str, key: bytes) -> None:
    """Add the client's client and account numbers to the ledger, as keyed hashes."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {LEDGER} (erasure VARCHAR NOT NULL, erased_at TIMESTAMP NOT NULL,"
        " column_name VARCHAR NOT NULL, identifier_hash VARCHAR NOT NULL)"
    )
    rows = [
        (reference, dt.datetime.now(dt.UTC).replace(tzinfo=None), c, erasure_reference(v, key))
        for c in OWNER_COLUMNS
        for v in sorted(identity.values[c])
    ]
    con.executemany(f"INSERT INTO {LEDGER} VALUES (?, ?, ?, ?)", rows)


def has_erasures(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any client was ever erased from this warehouse."""
    return bool(stored_columns(con, LEDGER))


def suppress_erased(con: duckdb.DuckDBPyConnection, spec: LandingFile, day: dt.date, path: str, key: bytes) -> int:
    """Delete from a raw day just loaded the rows of erased clients (a re-delivered file must not bring them back),
    and record how many were left out; the rows suppressed."""
    owners = [c.name for c in spec.columns if c.name in OWNER_COLUMNS]
    if not owners or not key or not has_erasures(con):
        return 0
    pads = dict(zip(("ipad", "opad"), hmac_pads(key)))
    hashed = " OR ".join(
        hmac_sql(f"'{HASH_DOMAIN}' || trim({identifier(c)})")
        + f" IN (SELECT identifier_hash FROM {LEDGER} WHERE column_name = '{c}')"
        for c in owners
    )
    where = f"business_date = $day AND ({hashed})"
    rows = con.execute(f"SELECT count(*) FROM raw.{spec.name} WHERE {where}", {**pads, "day": day}).fetchone()[0]
    con.execute(f"DELETE FROM raw.{spec.name} WHERE {where}", {**pads, "day": day})
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {ERASED_ON_LOAD} (landing_file VARCHAR NOT NULL, business_date DATE NOT NULL,"
        " _file VARCHAR NOT NULL, rows BIGINT NOT NULL, _loaded_at TIMESTAMP NOT NULL)"
    )
    con.execute(
        f"DELETE FROM {ERASED_ON_LOAD} WHERE landing_file = $n AND business_date = $day", {"n": spec.name, "day": day}
    )
    if rows:
        con.execute(
            f"INSERT INTO {ERASED_ON_LOAD} VALUES ($n, $day, $path, $rows, now())",
            {"n": spec.name, "day": day, "path": path, "rows": rows},
        )
    return rows
