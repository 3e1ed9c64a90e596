"""Customer insights on a small simulated bank: the recommender, performance models and their daily tables."""

import datetime as dt

import dagster as dg
import duckdb
import mlflow
import pytest

from riskhub_assets.definitions import build_defs
from riskhub_assets.defs.insights import insight_assets
from riskhub_assets.lib import performance, settings, tracking
from riskhub_assets.orchestration.runs import run_business_days
from riskhub_assets.simulator import SimulationConfig, simulate

START, END = dt.date(2025, 1, 1), dt.date(2025, 4, 3)


@pytest.fixture
def insights_bank(isolated_data, resources):
    """95 days of 1,200 clients (5 managers, 2 branches) loaded through the spine; the insight models trained."""
    simulate(SimulationConfig(start=START, end=END, clients=1200, seed=11, tx_per_client=1.0), isolated_data)
    assert run_business_days(build_defs(resources), START, START).success
    assert run_business_days(build_defs(resources), START + dt.timedelta(days=1), END).success
    config = {"ops": {"models__product_recommender": {"config": {"horizon_days": 14}}}}
    training = [a for a in insight_assets if a.key.path[0] == "models"]
    return dg.materialize(training, resources=resources, run_config=config, raise_on_error=False)


def test_insight_models_train_are_tracked_and_fill_their_daily_tables(insights_bank, resources):
    result = insights_bank
    failures = {
        e.step_key: e.event_specific_data.error.message
        for e in result.all_events
        if e.event_type_value == "STEP_FAILURE"
    }
    # Two branches over two months with a previous month: too few rows, and the failure says so.
    assert list(failures) == ["models__agency_performance_model"]
    assert "agency performance needs 10+ completed months" in failures["models__agency_performance_model"]
    checks = {(c.asset_key.path[-1], c.check_name): c for c in result.get_asset_check_evaluations()}
    recommender = checks[("product_recommender", "beats_popularity_baseline")]
    assert "precision@5" in recommender.description
    mlflow.set_tracking_uri(resources["model_store"].tracking_uri)
    runs = {r.info.run_name: r for r in mlflow.search_runs(experiment_names=["riskhub"], output_format="list")}
    metrics = runs["riskhub_product_recommender"].data.metrics
    for family in ("svd", "item_knn", "popularity", "trending"):
        assert 0 <= metrics[f"oot_{family}_precision_at_5"] <= 1
        assert 0 < metrics[f"oot_{family}_catalogue_coverage"] <= 1
    manager = runs["riskhub_manager_performance_model"].data.metrics
    assert {"cv_rmse", "cv_mae", "cv_r2", "naive_last_month_rmse"} <= set(manager)
    assert "riskhub_agency_performance_model" not in runs  # refused before training: no empty run in MLflow

    if tracking.champion_version("riskhub_product_recommender") is None:
        pytest.skip("the recommender did not beat popularity on this tiny bank: no champion to score with")
    daily = run_business_days(build_defs(resources), END, END, job="daily_scoring")
    steps = {e.step_key: e.event_type_value for e in daily.all_events if e.step_key}
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        lists = con.execute(
            "SELECT count(DISTINCT client_id), max(rank), count(*) FILTER (WHERE reason IS NULL)"
            " FROM scores.product_recommendations"
        ).fetchone()
        held_again = con.execute(
            "SELECT count(*) FROM scores.product_recommendations r JOIN warehouse.fact_product_holdings h"
            " ON h.client_id = r.client_id AND h.product_code = r.product_code AND h.is_held"
        ).fetchone()[0]
        agencies = con.execute("SELECT DISTINCT model_version FROM scores.agency_performance").fetchall()
        scores = con.execute(
            "SELECT min(predicted_score), max(predicted_score) FROM scores.manager_performance"
        ).fetchone()
    assert steps.get("scores__product_recommendations") != "STEP_FAILURE"
    assert lists[0] > 1000 and lists[1] == 5 and lists[2] == 0
    assert held_again == 0  # never a product the client already holds
    assert agencies == [(performance.NAIVE,)]  # no agency model beat last month: the naive forecast, labelled
    assert 0 <= scores[0] <= scores[1] <= 100
