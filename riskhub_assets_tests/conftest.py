"""Shared fixtures: every test works in a temporary data folder, never the user's data/."""

import datetime as dt
import fcntl
import os
from pathlib import Path

import duckdb
import pytest

from riskhub_assets.lib import tracking
from riskhub_assets.lib.contract import LandingFile
from riskhub_assets_tests.resources import TEST_KEY, data_folder_environment, local_resources, tracking_uri

TEST_PARTITIONS_START = "2024-01-01"
os.environ["RISKHUB_PARTITIONS_START"] = TEST_PARTITIONS_START
"""The daily partitions tests run with, whatever the shell or the user's landing zone says: they are built once per
process, when the definitions are first imported."""


USER_SETTINGS = (
    "RISKHUB_ENV",
    "RISKHUB_LANDING_DIR",
    "RISKHUB_MAPPING_DIR",
    "RISKHUB_DUCKDB_PATH",
    "RISKHUB_BI_DIR",
    "RISKHUB_REPORTS_DIR",
    "RISKHUB_MLFLOW_TRACKING_URI",
    "RISKHUB_MAX_QUARANTINE_RATE",
    "RISKHUB_DAGSTER_POSTGRES_URL",  # tests never record runs in the user's Postgres
    "DAGSTER_PG_HOST",
)
"""Settings a user's shell may hold that would point a test at the user's data: tests run without them."""


@pytest.fixture(autouse=True)
def nothing_written_to_the_working_directory():
    """MLflow's default artifact folder (./mlruns) never appears where the tests run: a test or code path logging
    outside RiskHub's experiment would write there, into the user's checkout."""
    existed = Path("mlruns").exists()
    yield
    assert existed or not Path("mlruns").exists(), "this test wrote MLflow artifacts into ./mlruns"


@pytest.fixture(autouse=True)
def isolated_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary data folder, never the user's data/ (nor the user's Postgres): the MLflow store and Dagster home of
    the test, and the folder the CLI and the API (which read the environment when they start) are pointed at."""
    data = tmp_path / "data"
    for variable in USER_SETTINGS:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("RISKHUB_DATA_DIR", str(data))
    monkeypatch.setenv("RISKHUB_PSEUDONYMISATION_KEY", TEST_KEY)
    monkeypatch.setenv("DAGSTER_HOME", str(data / "dagster"))
    (data / "dagster").mkdir(parents=True)
    tracking.use_store(tracking_uri(data))
    return data


@pytest.fixture
def resources(isolated_data: Path) -> dict:
    """The resources jobs run with in a test: everything under the temporary data folder."""
    return local_resources(isolated_data)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection."""
    connection = duckdb.connect()
    yield connection
    connection.close()


def write_landing(landing: Path, day: dt.date, spec: LandingFile, rows: list[str], header: str | None = None) -> Path:
    """Write one landing CSV with the contract header (or the one given) and raw text rows."""
    folder = landing / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / spec.filename
    path.write_text("\n".join([header or ",".join(spec.header), *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def published(tmp_path_factory, worker_id: str) -> Path:
    """A data folder with the scored bank's two days published to the BI database, built once per test run (the
    first xdist worker to ask builds it in the run's shared temporary folder, the other waits and reuses it): tests
    only read it, and a test that changes it works on a copy."""
    from riskhub_assets_tests.scored_bank import published_bank

    shared = tmp_path_factory.mktemp("bank") if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    data = shared / "published_bank" / "data"
    with (shared / "published_bank.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (shared / "published_bank" / "built").exists():
            with data_folder_environment(data):
                published_bank(data)
            (shared / "published_bank" / "built").touch()
    return data


def open_accounts(con: duckdb.DuckDBPyConnection, day: dt.date, *account_ids: str) -> None:
    """Clean current accounts in euros, known and open on `day`: what a transaction's account must resolve to."""
    from riskhub_assets.lib.cleaning import clean_table_ddl
    from riskhub_assets.lib.cleaning_specs import CLEANING_SPECS

    for ddl in clean_table_ddl(CLEANING_SPECS["accounts"]):
        con.execute(ddl)
    for account_id in account_ids:
        con.execute(
            "INSERT INTO clean.accounts (business_date, account_id, client_id, account_type, currency, open_date,"
            " _file, _row_number) VALUES ($day, $account, 'C1', 'current', 'EUR', $day, 'accounts.csv', 2)",
            {"day": day, "account": account_id},
        )
