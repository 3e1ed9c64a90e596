"""Erasing one client everywhere RiskHub stores them, with a certificate of each place and its rows before and after."""

import datetime as dt
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pandas as pd

from riskhub_assets.lib import erasure, erasure_files
from riskhub_assets.lib.features import TRANSACTION_KEYS, transaction_features
from riskhub_assets.lib.mapping import SourceMapping
from riskhub_assets.lib.publish import BI_DATABASE


@dataclass(frozen=True)
class ErasureTargets:
    """Where RiskHub stores clients: the warehouse, the BI folder, the landing archive (read through the bank's
    mappings), the reports, MLflow's artifact folder, and where certificates go."""

    warehouse: Path
    bi: Path
    landing: Path
    mappings: dict[str, SourceMapping]
    reports: Path
    artifacts: Path | None  # None for a tracking server, which keeps its own
    certificates: Path


def compact(path: Path) -> None:
    """Rewrite a DuckDB file from its live rows only, so deleted rows do not linger in its free blocks."""
    partial = path.with_name(f".{path.name}.erasing")
    partial.unlink(missing_ok=True)
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{path}' AS source (READ_ONLY)")
        con.execute(f"ATTACH '{partial}' AS target")
        con.execute("COPY FROM DATABASE source TO target")
    os.replace(partial, path)


def _their_rows(con: duckdb.DuckDBPyConnection, identity: erasure.Identity) -> list[pd.DataFrame]:
    """The client's feature rows, as models' logged samples would hold them without any identifier."""
    client = sorted(identity.values[erasure.CLIENT])[0]
    frames = []
    if erasure.stored_columns(con, "features.client_features"):
        frames.append(con.execute("SELECT * FROM features.client_features WHERE client_id = ?", [client]).df())
    days = (
        con.execute(
            "SELECT min(transaction_date), max(transaction_date) FROM warehouse.fact_transactions WHERE client_id = ?",
            [client],
        ).fetchone()
        if erasure.stored_columns(con, "warehouse.fact_transactions")
        else (None, None)
    )
    if days[0] is not None:
        frame = transaction_features(con, *days)
        frames.append(frame[frame["client_id"] == client].drop(columns=TRANSACTION_KEYS))
    return frames


def _erase_warehouse(path: Path, client_id: str, key: bytes, reference: str):
    """Find the client in the warehouse, delete their rows in one transaction and add them to the ledger."""
    with duckdb.connect(str(path)) as con:
        identity = erasure.find_identity(con, client_id)
        theirs = _their_rows(con, identity)
        con.execute("BEGIN")
        places = erasure.erase_tables(con, erasure.stored_tables(), identity)
        if all(p.before == p.after for p in places):
            con.execute("ROLLBACK")
            raise erasure.ErasureError(
                f"client {client_id} is in no table of {path} (RISKHUB_DUCKDB_PATH): check the client number;"
                " nothing was erased"
            )
        erasure.record_erasure(con, identity, reference, key)
        con.execute("COMMIT")
    compact(path)
    return identity, theirs, places


def _erase_bi(bi: Path, identity: erasure.Identity) -> list[erasure.Place]:
    """Delete the client's rows from a copy of the BI database, compact it and swap it in (readers keep the old one)."""
    target = bi / BI_DATABASE
    if not target.exists():
        return []
    partial = bi / f".{BI_DATABASE}.erasing"
    shutil.copyfile(target, partial)
    with duckdb.connect(str(partial)) as con:
        catalog = con.execute("SELECT current_database()").fetchone()[0]
        tables = [t.split(".", 1)[1] for t in erasure.database_tables(con, catalog)]
        places = erasure.erase_tables(con, tables, identity, prefix=f"{BI_DATABASE}:")
    compact(partial)
    os.replace(partial, target)
    return places


def erase_client(client_id: str, key: bytes, targets: ErasureTargets) -> tuple[Path, dict]:
    """Erase the client everywhere; the certificate written and what it says."""
    reference = erasure.erasure_reference(client_id, key)
    identity, theirs, places = _erase_warehouse(targets.warehouse, client_id, key, reference)
    places += _erase_bi(targets.bi, identity)
    places += erasure_files.erase_exports(targets.bi, identity)
    places += erasure_files.erase_reports(targets.reports, identity)
    places += erasure_files.erase_landing(targets.landing, targets.mappings, identity)
    if targets.artifacts:
        places += erasure_files.erase_artifacts(targets.artifacts, identity, theirs)
    erased_at = dt.datetime.now(dt.UTC)
    certificate = {
        "erasure": reference,
        "erased_at": erased_at.isoformat(timespec="seconds"),
        "client": "identified by the keyed hash `erasure` (HMAC-SHA256 with RISKHUB_PSEUDONYMISATION_KEY), never in clear",
        "identifiers_erased": {c: len(v) for c, v in identity.values.items()}
        | {"pseudonyms": len(identity.pseudonyms)},
        "ledger": f"{erasure.LEDGER} keeps the keyed hashes of the client and account numbers: a re-delivered landing"
        f" file's rows of theirs are left out at load and counted in {erasure.ERASED_ON_LOAD}",
        "places": [asdict(p) for p in places],
    }
    targets.certificates.mkdir(parents=True, exist_ok=True)
    path = targets.certificates / f"{erased_at:%Y%m%dT%H%M%SZ}_{reference[:16]}.json"
    path.write_text(json.dumps(certificate, indent=2))
    return path, certificate


def summary(path: Path, certificate: dict) -> str:
    """The certificate in a few lines: each place where the client was, rows before and after."""
    touched = [p for p in certificate["places"] if p["before"] != p["after"]]
    lines = [f"erasure {certificate['erasure'][:16]}...: {len(touched)} places held the client"]
    lines += [f"  {p['place']}: {p['before']:,} -> {p['after']:,} ({p['action']})" for p in touched]
    lines.append(f"certificate: {path}")
    return "\n".join(lines)
