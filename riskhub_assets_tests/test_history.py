"""A history loaded at bulk speed is in Dagster's record: each landed day of each asset it published, with the day's
rows and check results; a day that failed is not recorded."""

import datetime as dt
import io

import dagster as dg
import duckdb

from riskhub_assets import cli
from riskhub_assets.lib import settings
from riskhub_assets.lib.progress import ProgressBar, render
from riskhub_assets.simulator import SimulationConfig, simulate
from riskhub_assets_tests.test_cli import _spoil_amounts

FIRST, LAST = dt.date(2025, 2, 3), dt.date(2025, 2, 4)
LANDED = {FIRST.isoformat(), LAST.isoformat()}
FACT = dg.AssetKey(["warehouse", "fact_transactions"])


def _simulate(data) -> None:
    simulate(SimulationConfig(start=FIRST, end=LAST, clients=30, seed=5, tx_per_client=1.0), data)


def _rows_by_day() -> dict[str, int]:
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        query = "SELECT transaction_date::VARCHAR, count(*) FROM warehouse.fact_transactions GROUP BY 1"
        return dict(con.execute(query).fetchall())


def _day_materialization(instance: dg.DagsterInstance, key: dg.AssetKey, day: str):
    records = instance.fetch_materializations(dg.AssetRecordsFilter(asset_key=key, asset_partitions=[day]), limit=1)
    return records.records[0]


def test_a_history_load_records_each_landed_day_with_its_rows_and_checks(isolated_data, capsys):
    _simulate(isolated_data)
    assert cli.main(["load-history"]) == 0
    out = capsys.readouterr().out
    assert "asset days recorded in Dagster" in out and "\r" not in capsys.readouterr().err  # no bar off a terminal
    rows = _rows_by_day()
    assert set(rows) == LANDED and all(rows.values())
    with dg.DagsterInstance.get() as instance:
        assert instance.get_materialized_partitions(FACT) == LANDED
        assert instance.get_materialized_partitions(dg.AssetKey(["raw", "transactions"])) == LANDED
        days = {day: _day_materialization(instance, FACT, day) for day in sorted(LANDED)}
        for day, record in days.items():
            metadata = record.asset_materialization.metadata
            assert metadata["dagster/partition_row_count"].value == rows[day]
            assert "dagster/column_schema" in metadata
        assert days[LAST.isoformat()].asset_materialization.metadata["dagster/row_count"].value == sum(rows.values())
        check = dg.AssetCheckKey(FACT, "keys_not_null_and_unique")
        history = instance.event_log_storage.get_asset_check_execution_history(check, limit=10)
        targets = {r.event.dagster_event.event_specific_data.target_materialization_data.storage_id for r in history}
        assert len(history) == 2 and targets == {record.storage_id for record in days.values()}
        assert all(r.status.value == "SUCCEEDED" for r in history)


def test_a_day_that_failed_is_not_recorded(isolated_data, capsys):
    _simulate(isolated_data)
    _spoil_amounts(settings.landing_dir() / LAST.isoformat() / "transactions.csv")
    assert cli.main(["load-history"]) == 1
    assert "check quarantine_rate on clean/transactions_quarantine FAILED" in capsys.readouterr().out
    with dg.DagsterInstance.get() as instance:
        assert instance.get_materialized_partitions(FACT) == set()  # rolled back: nothing published, nothing recorded
        assert instance.get_materialized_partitions(dg.AssetKey(["clean", "transactions_quarantine"])) == set()
        assert instance.get_materialized_partitions(dg.AssetKey(["raw", "transactions"])) == LANDED  # it did load


def test_the_progress_bar_draws_only_on_a_terminal_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert render("recording in Dagster", 60, 240, "2025-03-04") == (
        "recording in Dagster [######..................] 60/240 2025-03-04"
    )
    terminal, log = Terminal(), io.StringIO()
    for stream in (terminal, log):
        bar = ProgressBar(stream)
        bar.update("loading", 1, 2, "raw/transactions")
        bar.update("recording in Dagster", 2, 2)
        bar.close()
    assert terminal.getvalue() == (
        "\rloading [############............] 1/2 raw/transactions\n"
        "\rrecording in Dagster [########################] 2/2\n"
    )
    assert log.getvalue() == ""
    monkeypatch.setenv("CI", "true")
    in_ci = ProgressBar(Terminal())
    in_ci.update("loading", 1, 2)
    in_ci.close()
    assert in_ci.stream.getvalue() == ""
