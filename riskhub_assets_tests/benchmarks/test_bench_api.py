"""The API benchmark sends feature rows of as many distinct clients as it says it samples."""

import importlib
from pathlib import Path

import duckdb
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def bench_api(monkeypatch: pytest.MonkeyPatch):
    """benchmarks/bench_api.py as a module (it imports its neighbour api_server.py as the script does)."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return importlib.import_module("bench_api")


def test_client_sample_is_drawn_from_the_latest_day(bench_api) -> None:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA features")
    con.execute(
        "CREATE TABLE features.client_features AS SELECT DATE '2024-01-01' + (i % 100)::INT AS as_of_date,"
        " 'C' || (i // 100) AS client_id FROM range(300000) r(i)"
    )
    last, clients = bench_api.latest_clients(con, 2000)
    assert str(last) == "2024-04-09"
    assert len(clients) == 2000
    assert clients["client_id"].nunique() == 2000
    assert set(clients["as_of_date"].astype(str)) == {"2024-04-09"}
