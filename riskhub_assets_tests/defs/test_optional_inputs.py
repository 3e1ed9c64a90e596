"""A bank that sends only what the contract requires: no relationship managers, no product holdings, no personal
columns, no counterparty countries or merchant categories, dates without a time of day. The run succeeds, what was
not sent is missing downstream (never invented) and clients and transactions are still scored."""

import csv
import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import pytest

from riskhub_assets.definitions import build_defs
from riskhub_assets.defs.insights import insight_assets
from riskhub_assets.defs.models import anomaly_model, client_model_asset
from riskhub_assets.defs.scoring import score_assets
from riskhub_assets.lib import performance, settings
from riskhub_assets.lib.contract import FX_RATES, LANDING_FILES, TRANSACTIONS
from riskhub_assets.lib.model_specs import CHURN, DEFAULT
from riskhub_assets.orchestration.resources import ModelStore
from riskhub_assets.orchestration.runs import failed_checks, run_business_days
from riskhub_assets.simulator import SimulationConfig, simulate
from riskhub_assets_tests.defs.test_models import AS_OF_DATES, _store, _synthetic

START, END = dt.date(2025, 3, 3), dt.date(2025, 3, 5)
NOT_SENT = ("merchant_category", "counterparty_country")
"""Transaction columns left out of the header altogether; every other optional column is sent empty."""
STILL_NEEDED = {("accounts", "limit_or_principal"), ("accounts", "balance")}
"""Optional columns this bank still sends: a card's or loan's limit (the contract requires it for them) and the
balances (optional in accounts.csv only because balances.csv may carry them instead)."""
MISSING_FEATURES = (
    "segment",
    "employment_status",
    "age_years",
    "annual_income",
    "pep_flag",
    "spend_to_income_30d",
    "night_share_90d",
    "foreign_share_90d",
    "distress_purchase_share_90d",
)
"""Features whose every input this bank did not send."""
SCORES = (
    ("default_scores", "probability_of_default"),
    ("churn_scores", "churn_probability"),
    ("anomaly_flags", "anomaly_score"),
)


def _blank_optional_inputs(landing: Path) -> None:
    """Rewrite the simulated landing zone as a bank sending only the required columns and files."""
    for day_dir in sorted(landing.iterdir()):
        for spec in LANDING_FILES:
            path = day_dir / spec.filename
            if spec.optional and spec is not FX_RATES:  # the bank holds USD, GBP and CHF accounts: it sends rates
                path.unlink(missing_ok=True)
                continue
            with path.open(newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
            header = [c for c in spec.header if not (spec is TRANSACTIONS and c in NOT_SENT)]
            for row in rows:
                for column in spec.columns:
                    if (
                        not column.required
                        and column.type != "timestamp"
                        and (spec.name, column.name) not in STILL_NEEDED
                    ):
                        row[column.name] = ""
                if spec is TRANSACTIONS:
                    row["timestamp"] = row["timestamp"][:10]  # the booking date, no time of day
            with path.open("w", newline="", encoding="utf-8") as f:
                writer = csv.DictWriter(f, header, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(rows)


def _step_errors(result) -> list[str]:
    return [e.event_specific_data.error.to_string() for e in result.all_events if e.event_type_value == "STEP_FAILURE"]


def _synthetic_with_missing_columns(dates, seed=0):
    """The models' synthetic training history, with the columns this bank cannot fill entirely missing."""
    frame = _synthetic(dates, seed=seed)
    for column in MISSING_FEATURES:
        frame[column] = None if column in ("segment", "employment_status", "pep_flag") else np.nan
    return frame


@pytest.fixture
def thin_bank(isolated_data, resources):
    """Three days of a 60-client bank sending only what is required, loaded through the spine."""
    simulate(SimulationConfig(start=START, end=END, clients=60, seed=3, tx_per_client=2.0), isolated_data)
    _blank_optional_inputs(resources["paths"].landing)
    return run_business_days(build_defs(resources), START, END)


def test_a_bank_sending_only_required_inputs_loads_and_leaves_the_rest_missing(thin_bank):
    result = thin_bank
    assert result.success, _step_errors(result)
    blocking = [
        (c.asset_key.to_user_string(), c.check_name) for c in failed_checks(result) if c.severity.value == "ERROR"
    ]
    assert blocking == []
    raw_managers = next(m.metadata for m in result.asset_materializations_for_node("raw__relationship_managers"))
    assert "not sent on 3 of 3 days" in raw_managers["file_not_sent"].value
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        counts = {
            t: con.execute(f"SELECT count(*) FROM warehouse.{t}").fetchone()[0]
            for t in ("dim_manager", "dim_agency", "fact_manager_objectives", "fact_transactions", "dim_client")
        }
        assert counts["dim_manager"] == counts["dim_agency"] == counts["fact_manager_objectives"] == 0
        assert counts["fact_transactions"] > 0 and counts["dim_client"] > 0
        known = con.execute(
            "SELECT count(transaction_ts), count(hour_of_day), count(counterparty_country), count(merchant_category)"
            " FROM warehouse.fact_transactions"
        ).fetchone()
        assert known == (0, 0, 0, 0)  # not midnight, not a made-up country or merchant
        features = con.execute("SELECT * FROM features.client_features").df()
    assert len(features) > 0
    assert features[list(MISSING_FEATURES)].isna().all().all()
    assert features["tenure_days"].notna().all() and features["frequency_90d"].notna().all()
    risky = features["risky_merchant_share_90d"]  # known (none) only for clients who paid no merchant by card
    assert risky.isna().any() and (risky.isna() | (risky == 0)).all()


def test_models_trained_without_those_inputs_score_the_bank(thin_bank, resources):
    assert thin_bank.success
    anomaly = dg.materialize([anomaly_model], resources=resources, raise_on_error=False)
    assert anomaly.success, _step_errors(anomaly)  # learnt from the bank's own transactions, hours unknown
    with duckdb.connect(str(settings.duckdb_path())) as con:
        real = con.execute("SELECT * FROM features.client_features").df()
    # The client models need months of labels: they learn from a synthetic history missing the same inputs.
    _store(_synthetic_with_missing_columns(AS_OF_DATES))
    few_events = {
        **resources,
        "model_store": ModelStore(tracking_uri=resources["model_store"].tracking_uri, min_training_events=10),
    }
    trained = dg.materialize(
        [client_model_asset(DEFAULT), client_model_asset(CHURN)], resources=few_events
    )  # 26 churners
    assert trained.success, _step_errors(trained)
    with duckdb.connect(str(settings.duckdb_path())) as con:
        con.register("real", real)
        con.execute("CREATE OR REPLACE TABLE features.client_features AS SELECT * FROM real")
    scoring = dg.materialize(
        [a for a in score_assets if a.key.path[-1] in dict(SCORES)],
        partition_key=END.isoformat(),
        resources=resources,
        raise_on_error=False,
    )
    assert scoring.success, _step_errors(scoring)
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        scored = {
            t: con.execute(f"SELECT count(*), count(*) FILTER (WHERE {score} IS NULL) FROM scores.{t}").fetchone()
            for t, score in SCORES
        }
    assert all(rows > 0 and missing == 0 for rows, missing in scored.values()), scored


def test_without_relationship_managers_performance_says_so_and_predicts_nobody(thin_bank, resources):
    assert thin_bank.success
    models = [a for a in insight_assets if a.key.path[-1].endswith("_performance_model")]
    trained = dg.materialize(models, resources=resources, raise_on_error=False)
    failures = [e.event_specific_data.error.message for e in trained.all_events if e.event_type_value == "STEP_FAILURE"]
    assert len(failures) == 2 and all(performance.NO_MANAGERS in f for f in failures)
    tables = [a for a in insight_assets if a.key.path[-1] in ("manager_performance", "agency_performance")]
    predicted = dg.materialize(tables, partition_key=END.isoformat(), resources=resources, raise_on_error=False)
    assert predicted.success, _step_errors(predicted)
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        rows = [
            con.execute(f"SELECT count(*) FROM scores.{level}_performance").fetchone()[0]
            for level in ("manager", "agency")
        ]
    assert rows == [0, 0]
