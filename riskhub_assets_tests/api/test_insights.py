"""Insight endpoints: next-best products from the published holdings, performance predictions, the summary."""

import duckdb
import mlflow
import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from riskhub_assets.api import app as api
from riskhub_assets.api import insights, serving
from riskhub_assets.lib import publish, settings
from riskhub_assets.ml import make_performance_model, make_recommender
from riskhub_assets_tests.scored_bank import DAY2


@pytest.fixture
def client(published, monkeypatch):
    monkeypatch.setenv("RISKHUB_DATA_DIR", str(published))
    bi = settings.bi_dir() / publish.BI_DATABASE
    with duckdb.connect(str(bi), read_only=True) as con:
        held = con.execute("SELECT client_id, product_code FROM facts.product_holdings WHERE is_held").df()
        products = [p for (p,) in con.execute("SELECT product_code FROM dims.product").fetchall()]
    matrix = pd.crosstab(held["client_id"], held["product_code"]).reindex(columns=products, fill_value=0)
    recommender = insights.Recommender(make_recommender(n_components=3).fit(matrix), "7", bi)
    rng = np.random.default_rng(0)
    team = pd.DataFrame({"region": rng.choice(["north", "south"], 80), "score_last_month": rng.uniform(0, 100, 80)})
    regressor = make_performance_model().fit(team, team["score_last_month"] * 0.8 + 10)
    manager = serving.ServedModel(
        "manager", "riskhub_manager_performance_model", "3", regressor, {"region": str, "score_last_month": float}
    )
    app = api.create_app({}, recommender=recommender, performance={"manager": manager})
    return TestClient(app), held


def test_recommendations_are_products_the_client_does_not_hold(client):
    api_client, held = client
    someone = held["client_id"].iloc[0]
    answer = api_client.get(f"/recommend/products/{someone}", params={"n": 3}).json()
    assert answer["model_version"] == "7" and len(answer["recommendations"]) == 3
    offered = [r["product_code"] for r in answer["recommendations"]]
    assert not set(offered) & set(held.loc[held["client_id"] == someone, "product_code"])
    assert [r["rank"] for r in answer["recommendations"]] == [1, 2, 3]
    assert all(r["reason"] and r["product_name"] for r in answer["recommendations"])
    assert api_client.get("/recommend/products/C9999999").status_code == 404
    assert api_client.get(f"/recommend/products/{someone}", params={"n": 0}).status_code == 422


def test_performance_predictions_are_scores_and_bad_input_is_a_422(client):
    api_client, _ = client
    good = api_client.post("/predict/manager-performance", json={"region": "north", "score_last_month": 90})
    assert good.status_code == 200 and 0 <= good.json()["predicted_score"] <= 100
    assert good.json()["model_version"] == "3"
    bad = api_client.post("/predict/manager-performance", json={"region": "north", "score_last_month": "lots"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "score_last_month"
    assert api_client.post("/predict/agency-performance", json={}).status_code == 503  # no champion


def test_the_summary_reads_the_latest_published_day(client):
    api_client, _ = client
    summary = api_client.get("/analytics/summary").json()
    assert summary["as_of_date"] == DAY2.isoformat()
    assert sum(o["clients"] for o in summary["first_offers"]) > 0
    assert {"manager_performance", "agency_performance", "churn_actions"} <= set(summary)
    assert all(0 <= m["predicted_score"] <= 100 for m in summary["manager_performance"])


def test_the_insight_champions_load_from_riskhub_registry_whatever_mlflow_pointed_at(tmp_path):
    from riskhub_assets.lib import tracking

    holdings = pd.DataFrame({"savings": [1, 0, 1], "mortgage": [0, 1, 1]}, index=["a", "b", "c"])
    model = make_recommender(n_components=1).fit(holdings)
    tracking.use_experiment("riskhub")
    with tracking.training_run("riskhub", insights.RECOMMENDER, {}):
        version = tracking.log_model(model, insights.RECOMMENDER, holdings.astype(float), holdings.astype(float))
        tracking.promote(insights.RECOMMENDER, version, wins=True)
    elsewhere = f"sqlite:///{tmp_path / 'elsewhere.db'}"  # as a fresh process, or another library, leaves MLflow
    mlflow.set_tracking_uri(elsewhere)
    mlflow.set_registry_uri(elsewhere)
    loaded = insights.load_recommender(tmp_path / "bi.duckdb")
    assert loaded is not None and loaded.version == version
    assert insights.load_performance_models() == {}
