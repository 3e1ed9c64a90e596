"""A business day loads whole or not at all: an incomplete day, or a value a blocking check refuses, leaves the
tables as they were, the run says why, and the day loads once it is corrected."""

import dataclasses
import datetime as dt

import dagster as dg
import duckdb
import pytest

from riskhub_assets.definitions import build_defs
from riskhub_assets.defs import clean as clean_defs
from riskhub_assets.lib import settings
from riskhub_assets.lib.contract import LANDING_FILES
from riskhub_assets.lib.publish import BI_DATABASE
from riskhub_assets.orchestration.runs import failed_checks, run_business_days, step_failures
from riskhub_assets.simulator import SimulationConfig, simulate
from riskhub_assets_tests.scored_bank import fill_insights, fill_scores

DAY1, DAY2 = dt.date(2025, 3, 3), dt.date(2025, 3, 4)


@pytest.fixture
def defs(isolated_data, resources) -> dg.Definitions:
    """A tiny bank's two days landed, the first loaded through the spine."""
    simulate(SimulationConfig(start=DAY1, end=DAY2, clients=60, seed=3, tx_per_client=2.0), isolated_data)
    definitions = build_defs(resources)
    assert run_business_days(definitions, DAY1, DAY1).success
    return definitions


def _contents(*layers: str) -> dict[str, list]:
    """Every row of every table of the layers, in a stable order."""
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        names = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables"
            f" WHERE table_schema IN ({', '.join(repr(layer) for layer in layers)}) ORDER BY 1"
        ).fetchall()
        return {name: sorted(map(repr, con.execute(f"SELECT * FROM {name}").fetchall())) for (name,) in names}


def _days_loaded(table: str) -> set[dt.date]:
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        return {day for (day,) in con.execute(f"SELECT DISTINCT business_date FROM {table}").fetchall()}


def test_a_day_missing_a_required_file_loads_nothing_and_names_it(defs, resources):
    before = _contents("raw", "clean", "warehouse")
    events = resources["paths"].landing / DAY2.isoformat() / "events.csv"
    sent = events.read_text()
    events.unlink()

    result = run_business_days(defs, DAY2, DAY2)

    assert not result.success
    assert _contents("raw", "clean", "warehouse") == before  # the day's five other files included
    failures = step_failures(result)
    assert {f.split(" FAILED")[0] for f in failures} == {f"step raw__{spec.name}" for spec in LANDING_FILES}
    assert all(f"landing file missing: {events}" in failure for failure in failures), failures
    assert f"business days {DAY2}..{DAY2} not loaded, no file of them" in failures[0]

    events.write_text(sent)
    assert run_business_days(defs, DAY2, DAY2).success
    assert _days_loaded("raw.transactions") == _days_loaded("clean.events") == {DAY1, DAY2}


def test_a_malformed_header_stops_the_whole_day(defs, resources):
    before = _contents("raw", "clean", "warehouse")
    accounts = resources["paths"].landing / DAY2.isoformat() / "accounts.csv"
    sent = accounts.read_text()
    accounts.write_text(sent.replace("account_id", "acct_id", 1))

    result = run_business_days(defs, DAY2, DAY2)

    assert not result.success
    assert _contents("raw", "clean", "warehouse") == before
    assert all(f"wrong header in {accounts}" in failure for failure in step_failures(result))
    accounts.write_text(sent)
    assert run_business_days(defs, DAY2, DAY2).success


def _without_rule(reason: str):
    """clean_range with one cleaning rule missing: a gap in cleaning the warehouse's checks must still catch."""
    clean_range = clean_defs.clean_range

    def clean_range_with_gap(con, spec, *args):
        rules = tuple(rule for rule in spec.rules if rule.reason != reason)
        return clean_range(con, dataclasses.replace(spec, rules=rules), *args)

    return clean_range_with_gap


def test_a_value_a_blocking_check_refuses_never_reaches_the_dimension(defs, resources, monkeypatch):
    before = _contents("warehouse")
    landing = resources["paths"].landing
    client = (landing / DAY1.isoformat() / "clients.csv").read_text().splitlines()[1].split(",")
    client[8] = "-5000"  # annual_income: negative, which cleaning would quarantine but for the gap below
    clients = landing / DAY2.isoformat() / "clients.csv"
    sent = clients.read_text()
    clients.write_text(sent + ",".join(client) + "\n")
    monkeypatch.setattr(clean_defs, "clean_range", _without_rule("negative annual_income"))

    result = run_business_days(defs, DAY2, DAY2)

    assert not result.success
    after = _contents("warehouse")
    assert after["warehouse.dim_client"] == before["warehouse.dim_client"]
    facts = [name for name in before if ".fact_" in name]
    assert {name: after[name] for name in facts} == {name: before[name] for name in facts}
    refused = [(c.asset_key.to_user_string(), c.check_name, c.severity.value) for c in failed_checks(result)]
    assert refused == [("warehouse/dim_client", "accepted_values", "ERROR")]  # shown in the UI as the check's result
    assert step_failures(result) == [
        "step warehouse__dim_client FAILED: warehouse.dim_client not published for this run (the table is rebuilt"
        " whole): blocking check accepted_values failed: warehouse.dim_client: 1 failing rows (accepted values):"
        " income_band not accepted = 1. Its rows were rolled back and the table is as before the run: correct"
        " the days' landing files and run them again (riskhub materialise --start DAY --end DAY)"
    ]

    clients.write_text(sent + ",".join(client).replace("-5000", "5000") + "\n")
    assert run_business_days(defs, DAY2, DAY2).success
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        income, updated = con.execute(
            "SELECT income_band, last_updated_date FROM warehouse.dim_client WHERE client_id = $id",
            {"id": client[0]},
        ).fetchone()
    assert (income, updated) == ("under 20k", DAY2)


def _spoil_transactions(resources) -> tuple[str, int]:
    """Make twenty of DAY2's transaction amounts unreadable (over the quarantine limit): what was sent, and how many
    records the file holds."""
    transactions = resources["paths"].landing / DAY2.isoformat() / "transactions.csv"
    sent = transactions.read_text()
    header, *records = sent.splitlines()
    amount = header.split(",").index("amount")
    spoiled = [",".join("lots" if i == amount else v for i, v in enumerate(r.split(","))) for r in records[:20]]
    transactions.write_text("\n".join([header, *spoiled, *records[20:]]) + "\n")
    return sent, len(records)


def test_a_day_quarantined_over_the_limit_publishes_neither_its_clean_rows_nor_its_quarantine(defs, resources):
    before = _contents("clean", "warehouse")
    transactions = resources["paths"].landing / DAY2.isoformat() / "transactions.csv"
    sent, records = _spoil_transactions(resources)

    result = run_business_days(defs, DAY2, DAY2)

    assert not result.success
    after = _contents("clean", "warehouse")
    for name in ("clean.transactions", "clean.transactions_quarantine", "warehouse.fact_transactions"):
        assert after[name] == before[name], name
    refused = [(c.asset_key.to_user_string(), c.check_name) for c in failed_checks(result)]
    assert refused == [("clean/transactions_quarantine", "quarantine_rate")]
    (failure,) = step_failures(result)
    assert failure.startswith(
        f"step clean_transactions FAILED: clean.transactions not published for business days {DAY2}..{DAY2}:"
        f" blocking check quarantine_rate failed: clean.transactions_quarantine: 20 of {records} landed records"
        f" quarantined; over the limit of 5% (RISKHUB_MAX_QUARANTINE_RATE) on 1 of 1 days: {DAY2}: {transactions}"
    ), failure
    assert failure.endswith(
        "`riskhub landing check` lists every record the days would quarantine and why (the rolled-back quarantine is"
        f" not kept); correct the days' landing files and run them again (riskhub materialise --start {DAY2} --end"
        f" {DAY2})"
    )

    transactions.write_text(sent)
    assert run_business_days(defs, DAY2, DAY2).success
    assert _days_loaded("clean.transactions") == {DAY1, DAY2}


def _published() -> dict[str, list]:
    """Every row of every table of the BI copy, in a stable order."""
    with duckdb.connect(str(settings.bi_dir() / BI_DATABASE), read_only=True) as con:
        names = con.execute("SELECT schema_name || '.' || table_name FROM duckdb_tables() ORDER BY 1").fetchall()
        return {name: sorted(map(repr, con.execute(f"SELECT * FROM {name}").fetchall())) for (name,) in names}


def test_a_day_half_written_in_other_branches_never_reaches_the_bi_copy(defs, resources):
    fill_scores(DAY1)
    fill_insights(DAY1)
    assert run_business_days(defs, DAY1, DAY1, job="daily_reporting").success
    before = _published()
    sent, _ = _spoil_transactions(resources)
    assert not run_business_days(defs, DAY2, DAY2).success  # clean.transactions refused, its branch stops there
    assert DAY2 in _days_loaded("clean.events")  # the other branches went on

    refused = run_business_days(defs, DAY1, DAY1, job="daily_reporting")  # any later refresh

    assert not refused.success
    assert _published() == before  # nothing of the day, its events included
    (failure,) = step_failures(refused)
    assert failure.startswith(
        "step reporting__bi_database FAILED: BI copy not refreshed: business day(s) only partly written in the"
        f" warehouse: {DAY2} (clean.transactions failed)."
    ), failure
    assert failure.endswith(f"run the days again whole: riskhub materialise --start {DAY2} --end {DAY2}")

    (resources["paths"].landing / DAY2.isoformat() / "transactions.csv").write_text(sent)
    assert run_business_days(defs, DAY2, DAY2).success
    fill_scores(DAY2)
    fill_insights(DAY2)
    assert run_business_days(defs, DAY2, DAY2, job="daily_reporting").success
    with duckdb.connect(str(settings.bi_dir() / BI_DATABASE), read_only=True) as con:
        days = con.execute("SELECT DISTINCT business_date FROM marts.transaction_kpis ORDER BY 1").fetchall()
    assert days == [(DAY1,), (DAY2,)]
