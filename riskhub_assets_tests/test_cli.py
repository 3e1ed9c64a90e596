"""The `riskhub` command as a user runs it: simulate, materialise, load a history, regenerate the docs."""

import csv
import datetime as dt
import re

import dagster as dg
import duckdb
import pytest

from riskhub_assets import cli
from riskhub_assets.lib import settings
from riskhub_assets.simulator import SimulationConfig, simulate
from riskhub_assets_tests.conftest import TEST_PARTITIONS_START

DAY = dt.date(2025, 2, 4)


def test_simulate_then_materialise_records_the_run_for_the_ui(isolated_data, tmp_path):
    assert (
        cli.main(
            [
                "simulate",
                "--start",
                "2025-02-03",
                "--end",
                "2025-02-04",
                "--clients",
                "40",
                "--tx-per-client",
                "1.5",
                "--out",
                str(isolated_data),
            ]
        )
        == 0
    )
    assert cli.main(["materialise", "--start", "2025-02-03", "--end", "2025-02-04", "--job", "daily_spine"]) == 0
    assert "default_limit: 1" in (settings.dagster_home() / "dagster.yaml").read_text()
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs()
    assert [r.job_name for r in runs] == ["daily_spine"] and runs[0].is_success
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        days = con.execute("SELECT count(DISTINCT transaction_date) FROM warehouse.fact_transactions").fetchone()[0]
    assert days == 2

    docs = tmp_path / "docs"
    assert cli.main(["docs", "--out", str(docs)]) == 0
    svg = (docs / "star_schema.svg").read_text()
    assert "warehouse.fact_transactions" in svg and "warehouse.dim_client" in svg
    assert "`transactions.csv`" in (docs / "landing_contract.md").read_text()


def test_committed_landing_contract_doc_matches_the_code():
    from pathlib import Path

    from riskhub_assets.lib.docs import landing_contract_markdown

    committed = Path(__file__).parents[1] / "docs" / "landing_contract.md"
    assert committed.read_text() == landing_contract_markdown(), "run `riskhub docs` to regenerate docs/"


def test_committed_report_schema_matches_the_code():
    from pathlib import Path

    from riskhub_assets.lib.docs import report_schema_json

    committed = Path(__file__).parents[1] / "docs" / "daily_report.schema.json"
    assert committed.read_text() == report_schema_json(), "run `riskhub docs` to regenerate docs/"


def _simulate(data, start: dt.date, end: dt.date) -> None:
    simulate(SimulationConfig(start=start, end=end, clients=30, seed=5, tx_per_client=1.0), data)


def _fact_days(table: str, column: str) -> int:
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        exists = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name || '.' || table_name = $t", {"t": table}
        )
        if not exists.fetchone()[0]:
            return 0
        return con.execute(f"SELECT count(DISTINCT {column}) FROM {table}").fetchone()[0]


def _spoil_amounts(path) -> int:
    """Write an unreadable amount on every transaction of a landing file; return how many there are."""
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**row, "amount": "lots"} for row in rows)
    return len(rows)


def test_a_day_quarantined_whole_fails_the_run_naming_the_file_and_reason(isolated_data, monkeypatch, capsys):
    _simulate(isolated_data, DAY, DAY)
    path = settings.landing_dir() / DAY.isoformat() / "transactions.csv"
    landed = _spoil_amounts(path)
    assert cli.main(["materialise", "--start", str(DAY), "--job", "daily_spine"]) == 1
    out = capsys.readouterr().out
    assert "check quarantine_rate on clean/transactions_quarantine FAILED" in out
    assert f"{DAY}: {path} had {landed} of {landed} records quarantined (100.0%)" in out
    assert f"top reasons: invalid decimal in amount = {landed}" in out
    assert _fact_days("warehouse.fact_transactions", "transaction_date") == 0  # nothing downstream ran on it
    assert "daily_spine run" in out and "FAILED" in out.splitlines()[-1]

    monkeypatch.setenv("RISKHUB_MAX_QUARANTINE_RATE", "100%")  # the limit is a setting: now the fact is left empty
    assert cli.main(["materialise", "--start", str(DAY), "--job", "daily_spine"]) == 1
    out = capsys.readouterr().out
    assert "quarantine_rate" not in out
    assert "check landed_days_not_empty on warehouse/fact_transactions FAILED" in out
    assert f"{path} landed {landed} rows but warehouse.fact_transactions has none: clean.transactions has 0 rows" in out


def test_days_outside_the_partitions_are_refused_before_running_naming_the_setting(capsys):
    assert TEST_PARTITIONS_START == "2024-01-01"
    assert cli.main(["materialise", "--start", "2023-12-30", "--end", "2024-01-02"]) == 2
    err = capsys.readouterr().err
    assert "business day 2023-12-30 is before the first daily partition, 2024-01-01: set" in err
    assert "RISKHUB_PARTITIONS_START=2023-12-30" in err
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    assert cli.main(["load-history", "--start", "2024-01-01", "--end", str(tomorrow)]) == 2
    assert f"business day {tomorrow} is not over yet" in capsys.readouterr().err
    with dg.DagsterInstance.get() as instance:
        assert instance.get_runs() == []


def test_load_history_loads_past_days_in_one_run_without_freshness_warnings(isolated_data, capsys):
    start, end = dt.date(2025, 2, 3), dt.date(2025, 2, 6)
    _simulate(isolated_data, start, end)
    assert cli.main(["load-history"]) == 0  # the landing zone's days, first to last
    out = capsys.readouterr().out
    assert "daily_spine run" in out and f"succeeded for {start}..{end}" in out
    assert "freshness" not in out, out
    assert _fact_days("warehouse.fact_transactions", "transaction_date") == 4


@pytest.mark.parametrize(
    "argv",
    [
        ["materialise", "--start", DAY.isoformat()],
        ["load-history", "--start", DAY.isoformat(), "--end", DAY.isoformat()],
        ["train"],
        ["demo", "--days", "3"],
        ["serve"],
        ["ui"],
    ],
)
def test_every_command_that_runs_the_pipeline_refuses_the_public_key_in_production(monkeypatch, capsys, argv):
    monkeypatch.setenv("RISKHUB_ENV", "production")
    monkeypatch.delenv("RISKHUB_PSEUDONYMISATION_KEY")
    started = []
    monkeypatch.setattr(cli.processes, "supervise", lambda *args: started.append(args))
    monkeypatch.setattr(cli.subprocess, "call", lambda *args, **kwargs: started.append(args))
    monkeypatch.setattr("riskhub_assets.simulator.simulate", lambda *args: started.append(args))
    assert cli.main(argv) == 2
    assert "RISKHUB_PSEUDONYMISATION_KEY must hold a secret key" in capsys.readouterr().err
    assert started == [] and not (settings.dagster_home() / "dagster.yaml").exists()  # nothing ran, nothing written


def test_a_check_failing_at_error_severity_is_never_reported_as_success(monkeypatch, capsys):
    """A non-blocking check failing at ERROR severity (the score drift checks) leaves Dagster's run successful; the
    command still says FAILED, names the check and exits 1."""
    from riskhub_assets import definitions
    from riskhub_assets.orchestration import runs

    @dg.asset(check_specs=[dg.AssetCheckSpec("feature_drift_psi", asset="default_scores")])
    def default_scores():
        yield dg.MaterializeResult()
        yield dg.AssetCheckResult(
            check_name="feature_drift_psi", passed=False, severity=dg.AssetCheckSeverity.ERROR, description="PSI 2.69"
        )

    result = dg.materialize([default_scores], raise_on_error=False)
    assert result.success
    monkeypatch.setattr(definitions, "build_defs", lambda: None)
    monkeypatch.setattr(runs, "run_job", lambda defs, job, instance, log_level: result)
    assert cli.main(["train"]) == 1
    out = capsys.readouterr().out
    assert "check feature_drift_psi on default_scores FAILED: PSI 2.69" in out
    assert "succeeded" not in out and "FAILED (1 checks failed)" in out.splitlines()[-1]


def test_the_demos_runs_print_a_failure_and_its_cause_but_not_the_event_log(isolated_data, capfd):
    from riskhub_assets.quiet import DAGSTER_LOG_LEVEL, quiet_libraries

    _simulate(isolated_data, DAY, DAY)
    events = settings.landing_dir() / DAY.isoformat() / "events.csv"
    sent = events.read_text()
    events.unlink()
    with quiet_libraries():
        assert not cli.run("daily_spine", DAY, DAY, log_level=DAGSTER_LOG_LEVEL)
        out, err = capfd.readouterr()
        assert "step raw__events FAILED: " in out and f"landing file missing: {events}" in out
        assert f"landing file missing: {events}" in err and " - DEBUG - " not in err and " - INFO - " not in err
        events.write_text(sent)
        assert cli.run("daily_spine", DAY, DAY, log_level=DAGSTER_LOG_LEVEL)
    out, err = capfd.readouterr()
    assert err == ""
    (line,) = [line for line in out.splitlines() if line.startswith("daily_spine run")]
    passed, total = map(int, re.search(r"(\d+) of (\d+) checks passed", line).groups())
    assert "materializations" in line and passed == total > 0
