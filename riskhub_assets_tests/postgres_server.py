"""A throwaway PostgreSQL server for tests: Debian's server binaries on a temporary folder and a loopback port."""

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

BINARIES = Path("/usr/lib/postgresql")
SUPERUSER = "riskhub"
MISSING = (
    "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin (Debian's `postgresql` package):"
    " install them (`apt-get install -y postgresql`, as .ci/run does) to run the Dagster-on-Postgres tests"
)


def server_binaries() -> Path | None:
    """The bin folder of the newest PostgreSQL server installed, or None."""
    found = sorted(BINARIES.glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return found[-1].parent if found else None


def require_binaries() -> Path:
    """The server binaries; without them the test is skipped, or fails under CI (CI=true), which must run it."""
    binaries = server_binaries()
    if binaries is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    return binaries


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_user() -> str | None:
    """The system user the server runs as when tests run as root (PostgreSQL refuses root), else None (this user)."""
    return pwd.getpwnam("postgres").pw_name if os.geteuid() == 0 else None


@contextlib.contextmanager
def postgres_server(binaries: Path) -> Iterator[str]:
    """A running server on 127.0.0.1 (trust authentication, loopback only), yielding its URL without a database;
    stopped and its folder removed after."""
    folder = Path(tempfile.mkdtemp(prefix="riskhub-postgres-"))  # not under pytest's root-only folders
    user = _server_user()
    if user:
        shutil.chown(folder, user)
    port, data = _free_port(), folder / "data"
    run = {"check": True, "capture_output": True, "user": user}
    subprocess.run([binaries / "initdb", "-D", data, "-U", SUPERUSER, "-A", "trust", "--no-sync"], **run)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run([binaries / "pg_ctl", "-D", data, "-l", folder / "log", "-o", options, "-w", "start"], **run)
    try:
        yield f"postgresql://{SUPERUSER}@127.0.0.1:{port}"  # libpq's form; Dagster's adds +psycopg2
    finally:
        subprocess.run([binaries / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"], **run)
        shutil.rmtree(folder, ignore_errors=True)


def create_database(server_url: str, name: str) -> str:
    """A new empty database on the server; its URL."""
    con = psycopg2.connect(f"{server_url}/postgres")
    try:
        con.autocommit = True
        con.cursor().execute(f'CREATE DATABASE "{name}"')
    finally:
        con.close()
    return f"{server_url}/{name}"


def count_rows(database_url: str, table: str) -> int:
    """Rows of a table, read straight from the database (not through Dagster)."""
    con = psycopg2.connect(database_url)
    try:
        cursor = con.cursor()
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]
    finally:
        con.close()
