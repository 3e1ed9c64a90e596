"""The graph materialised end to end on tiny simulated days, in a temporary DuckDB file."""

import datetime as dt

import duckdb

from riskhub_assets.definitions import build_defs
from riskhub_assets.lib import settings
from riskhub_assets.lib.contract import LANDING_FILES, TRANSACTIONS
from riskhub_assets.orchestration.runs import failed_checks, run_business_days, step_failures
from riskhub_assets.simulator import SimulationConfig, simulate
from riskhub_assets_tests.resources import local_resources

DAY1, DAY2 = dt.date(2025, 3, 3), dt.date(2025, 3, 4)
TABLES = [f"{layer}.{spec.name}" for layer in ("raw", "clean") for spec in LANDING_FILES] + [
    "warehouse.dim_client",
    "warehouse.dim_account",
    "warehouse.fact_transactions",
    "warehouse.fact_events",
    "warehouse.fact_account_balances",
]


def _simulate(data, dirty_rate=0.0, clients=60):
    config = SimulationConfig(start=DAY1, end=DAY2, clients=clients, seed=3, tx_per_client=2.0, dirty_rate=dirty_rate)
    simulate(config, data)


def _counts() -> dict[str, int]:
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def _blocking_failures(result):
    return [
        (c.asset_key.to_user_string(), c.check_name, c.description)
        for c in failed_checks(result)
        if c.severity.value == "ERROR"
    ]


def _step_errors(result) -> str:
    return "\n".join(
        e.event_specific_data.error.to_string() for e in result.all_events if e.event_type_value == "STEP_FAILURE"
    )


def test_clean_days_flow_to_the_star_schema_and_reruns_replace(isolated_data, resources):
    _simulate(isolated_data)
    defs = build_defs(resources)
    result = run_business_days(defs, DAY1, DAY2)
    assert result.success, _step_errors(result)
    assert _blocking_failures(result) == []
    first = _counts()
    assert first["warehouse.fact_transactions"] == first["clean.transactions"] > 0
    assert first["warehouse.fact_events"] == first["clean.events"] > 0
    assert first["clean.transactions"] == first["raw.transactions"]  # clean simulated data: nothing quarantined
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        partition_types = con.execute(
            "SELECT DISTINCT data_type FROM information_schema.columns WHERE table_schema = 'warehouse'"
            " AND column_name IN ('transaction_date', 'event_date', 'snapshot_date')"
        ).fetchall()
    assert partition_types == [("DATE",)]

    rerun = run_business_days(defs, DAY2, DAY2)
    assert rerun.success, _step_errors(rerun)
    assert _counts() == first


def test_dirty_days_are_quarantined_with_reasons_and_reconcile(isolated_data):
    _simulate(isolated_data, dirty_rate=0.05, clients=300)  # enough for no file to be wiped out by the cascade
    # 5% dirty lines cascade on a small bank (a quarantined manager takes its clients, a client its accounts): the
    # rate limit is tested elsewhere, here every reason and the reconciliation are.
    defs = build_defs(local_resources(isolated_data, max_quarantine_rate="100%"))
    result = run_business_days(defs, DAY1, DAY2)
    assert result.success, _step_errors(result)
    assert _blocking_failures(result) == []
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        reasons = " | ".join(
            r[0]
            for spec in LANDING_FILES
            for r in con.execute(f"SELECT reason FROM clean.{spec.name}_quarantine").fetchall()
        )
        for expected in ("unknown account_id", "impossible amount", "missing ", "COLUMNS", "INVALID ENCODING"):
            assert expected in reasons
        columns = ", ".join(f'"{c}"' for c in TRANSACTIONS.header)
        raw, dupes = con.execute(
            f"SELECT count(*), count(*) - count(DISTINCT (business_date, {columns})) FROM raw.transactions"
        ).fetchone()
        clean = con.execute("SELECT count(*) FROM clean.transactions").fetchone()[0]
        quarantined = con.execute(
            "SELECT count(*) FROM clean.transactions_quarantine WHERE stage = 'validation'"
        ).fetchone()[0]
    assert raw == clean + quarantined + dupes


def test_a_key_resent_on_another_day_is_quarantined_naming_its_first_day_and_counted_once(isolated_data, resources):
    _simulate(isolated_data)
    landing = resources["paths"].landing
    first_tx = (landing / DAY1.isoformat() / "transactions.csv").read_text().splitlines()[1]
    day2 = landing / DAY2.isoformat() / "transactions.csv"
    accounts = {line.split(",")[0] for line in (landing / DAY2.isoformat() / "accounts.csv").read_text().splitlines()}
    assert first_tx.split(",")[1] in accounts
    day2.write_text(day2.read_text() + first_tx.replace(DAY1.isoformat(), DAY2.isoformat()) + "\n")
    assert run_business_days(build_defs(resources), DAY1, DAY2).success
    resent = first_tx.split(",")[0]
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        facts = "SELECT count(*) FROM warehouse.fact_transactions WHERE transaction_id = $id"
        assert con.execute(facts, {"id": resent}).fetchone()[0] == 1
        quarantined = con.execute("SELECT business_date, reason FROM clean.transactions_quarantine").fetchall()
    assert quarantined == [(DAY2, f"duplicate transaction_id of an earlier day: first sent on {DAY1}")]


def test_a_missing_landing_file_fails_with_a_clear_error(isolated_data, resources):
    _simulate(isolated_data)
    missing = resources["paths"].landing / DAY2.isoformat() / "events.csv"
    missing.unlink()
    result = run_business_days(build_defs(resources), DAY1, DAY2)
    assert not result.success
    assert f"landing file missing: {missing}" in _step_errors(result)
    assert set(step_failures(result)) == {  # every raw load refuses the run's days, not only the missing file's
        f"step raw__{spec.name} FAILED: business days {DAY1}..{DAY2} not loaded, no file of them (a day loads whole"
        f" or not at all): 1 landing file(s) cannot load: landing file missing: {missing} (expected in every day"
        " folder of the landing zone (RISKHUB_LANDING_DIR), with its header line alone on a day without records; an"
        " export with its own file names needs a mapping, RISKHUB_MAPPING_DIR; see docs/bring_your_own_bank.md)"
        for spec in LANDING_FILES
    }


def test_a_day_without_the_optional_facilities_file_still_loads(isolated_data, resources):
    _simulate(isolated_data)
    (resources["paths"].landing / DAY2.isoformat() / "credit_facilities.csv").unlink()
    result = run_business_days(build_defs(resources), DAY1, DAY2)
    assert result.success, _step_errors(result)
    said = {  # the run's metadata, on each day's materialisation
        e.materialization.metadata["file_not_sent"].value
        for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == "raw/credit_facilities"
    }
    assert said == {
        "optional file credit_facilities.csv not sent on 1 of 2 days (2025-03-04..2025-03-04): no rows loaded for those days"
    }
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        days = con.execute("SELECT DISTINCT snapshot_date FROM warehouse.fact_credit_facility").fetchall()
    assert days == [(DAY1,)]
