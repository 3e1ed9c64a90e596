"""Training assets on a synthetic feature table: MLflow runs, registry aliases, honest failure, daily scores."""

import datetime as dt

import dagster as dg
import duckdb
import mlflow
import numpy as np
import pandas as pd
from mlflow import MlflowClient

from riskhub_assets.defs.models import client_model_asset
from riskhub_assets.defs.scoring import score_assets
from riskhub_assets.lib import settings, tracking
from riskhub_assets.lib.frames import replace_table
from riskhub_assets.lib.model_specs import CHURN, DEFAULT
from riskhub_assets.orchestration.mlflow_tracking import DAGSTER_RUNS_EXPERIMENT, MlflowTracking
from riskhub_assets.orchestration.resources import ModelStore
from riskhub_assets.orchestration.runs import step_failures

AS_OF_DATES = [dt.date(2025, 1, 6) + dt.timedelta(days=7 * i) for i in range(16)]
SCORE_DAY = dt.date(2025, 6, 2)
UI = "http://mlflow.bank.example"


def _synthetic(dates, clients=200, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = len(dates) * clients
    risk = rng.normal(size=rows)
    frame = pd.DataFrame(
        {
            "as_of_date": np.repeat(pd.to_datetime(dates), clients),
            "client_id": np.tile([f"C{i:05d}" for i in range(clients)], len(dates)),
            "segment": rng.choice(["mass", "affluent", None], rows),
            "missed_payments_90d": rng.poisson(np.exp(1.5 * risk - 1)),
            "current_balance": rng.lognormal(7, 1, rows) * np.exp(-0.5 * risk),
            "card_utilisation": np.where(rng.random(rows) < 0.3, np.nan, rng.beta(2, 5, rows) + 0.1 * risk),
            "tx_count_30d": rng.poisson(30 * np.exp(-0.3 * risk)),
        }
    )
    logit = -3 + 2.0 * risk
    frame["default_label"] = rng.random(rows) < 1 / (1 + np.exp(-logit))
    frame["churn_label"] = rng.random(rows) < 1 / (1 + np.exp(2 + 0.05 * frame["tx_count_30d"] - 0.5 * risk))
    frame["rfm_proxy_label"] = rng.random(rows) < 0.25
    return frame


def _store(frame: pd.DataFrame) -> None:
    with duckdb.connect(str(settings.duckdb_path())) as con:
        replace_table(
            con, "features.client_features", frame.drop(columns=["default_label", "churn_label", "rfm_proxy_label"])
        )
        replace_table(
            con,
            "features.client_labels",
            frame[["as_of_date", "client_id", "default_label", "churn_label", "rfm_proxy_label"]],
        )


def _train(resources: dict, *specs) -> dg.MaterializeResult:
    return dg.materialize([client_model_asset(s) for s in specs], resources=resources, raise_on_error=False)


def test_training_registers_a_champion_then_a_challenger_that_must_win_to_replace_it(resources):
    _store(_synthetic(AS_OF_DATES))
    first = _train(resources, DEFAULT)
    assert first.success
    checks = {e.check_name: e.passed for e in first.get_asset_check_evaluations()}
    assert checks == {
        "score_psi_below_0_25": True,
        "auc_at_least_0_70": True,
        "default_rate_monotone_by_grade": True,
        "proxy_target_not_leaking": True,
        "enough_validation_events": True,
    }
    mlflow.set_tracking_uri(resources["model_store"].tracking_uri)
    client = MlflowClient()
    assert tracking.champion_version(DEFAULT.name) == "1"
    run = mlflow.search_runs(experiment_names=["riskhub"], output_format="list")[0]
    assert run.info.status == "FINISHED"
    assert 0.7 < run.data.metrics["oot_auc"] < 0.97
    assert {"roc.png", "calibration.png", "gains.png"} <= {
        a.path.split("/")[-1] for a in client.list_artifacts(run.info.run_id, "plots")
    }

    second = _train(resources, DEFAULT)  # the same data gives the same out-of-time AUC: not a win
    assert second.success
    assert str(client.get_model_version_by_alias(DEFAULT.name, "challenger").version) == "2"
    assert tracking.champion_version(DEFAULT.name) == "1"


def test_a_failed_training_run_is_marked_failed_in_mlflow(resources):
    frame = _synthetic(AS_OF_DATES)
    frame["churn_label"] = False  # one class only: nothing to learn from, training stops and says why
    _store(frame)
    result = _train(resources, CHURN)
    assert not result.success
    (failure,) = [m for m in step_failures(result) if "models__churn_model" in m]  # what `riskhub train` prints
    assert "0 clients with a churn event" in failure and "RISKHUB_MIN_TRAINING_EVENTS" in failure
    mlflow.set_tracking_uri(resources["model_store"].tracking_uri)
    runs = mlflow.search_runs(experiment_names=["riskhub"], output_format="list")
    assert [(r.info.run_name, r.info.status) for r in runs] == [("riskhub_churn_model", "FAILED")]


def test_daily_scores_come_from_the_champions_with_grades_reasons_and_drift_checks(resources):
    # 200 synthetic clients: fewer churners than a bank's default minimum
    resources = {
        **resources,
        "model_store": ModelStore(tracking_uri=resources["model_store"].tracking_uri, min_training_events=10),
    }
    _store(_synthetic(AS_OF_DATES))
    assert _train(resources, DEFAULT, CHURN).success
    today = _synthetic([SCORE_DAY], seed=1).drop(columns=["default_label", "churn_label", "rfm_proxy_label"])
    with duckdb.connect(str(settings.duckdb_path())) as con:
        con.register("today", today)
        con.execute("INSERT INTO features.client_features SELECT * FROM today")
        con.execute("CREATE SCHEMA warehouse")
        con.execute("CREATE TABLE warehouse.dim_client AS SELECT DISTINCT client_id FROM today")
    tables = ["default_scores", "churn_scores"]
    result = dg.materialize(
        [a for a in score_assets if a.key.path[-1] in tables],
        partition_key=SCORE_DAY.isoformat(),
        raise_on_error=False,
        resources=resources,
    )
    assert result.success
    checks = {(e.asset_key.path[-1], e.check_name): e for e in result.get_asset_check_evaluations()}
    data_tests = {key for key in checks if "drift" not in key[1]}
    assert all(checks[key].passed for key in data_tests), {k: checks[k].description for k in data_tests}
    assert {(t, c) for t in tables for c in ("score_drift_psi", "feature_drift_psi")} <= set(checks)
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        default = con.execute("SELECT * FROM scores.default_scores").df()
        churn = con.execute("SELECT * FROM scores.churn_scores").df()
    assert len(default) == len(churn) == len(today)
    assert set(default["model_version"]) == set(churn["model_version"]) == {"1"}
    assert default["grade"].isin(list("ABCDEFGHI")).all()
    assert default.loc[default["probability_of_default"] > 0.2, "reason_1"].notna().all()
    assert set(churn["decile"]) == set(range(1, 11))


def test_each_model_trained_links_its_mlflow_run_and_version_to_the_dagster_run(resources):
    resources = {**resources, "mlflow": MlflowTracking(tracking_uri=resources["mlflow"].tracking_uri, ui_url=UI)}
    resources["model_store"] = ModelStore(tracking_uri=resources["mlflow"].tracking_uri, min_training_events=10)
    _store(_synthetic(AS_OF_DATES))
    result = _train(resources, DEFAULT, CHURN)
    assert result.success
    mlflow.set_tracking_uri(resources["mlflow"].tracking_uri)
    client = MlflowClient()
    dagster_run = client.search_runs([client.get_experiment_by_name(DAGSTER_RUNS_EXPERIMENT).experiment_id])
    assert [(r.data.tags["dagster_run_id"], r.info.status) for r in dagster_run] == [(result.run_id, "FINISHED")]
    for materialization in result.get_asset_materialization_events():
        key, metadata = materialization.asset_key, materialization.materialization.metadata
        version = client.get_model_version(metadata["model"].value, metadata["version"].value)
        assert metadata["mlflow_run_id"].value == version.run_id  # the run that logged this registered version
        run = client.get_run(version.run_id)
        assert run.data.tags["dagster_run_id"] == result.run_id
        assert run.data.tags["dagster_asset_key"] == key.to_user_string()
        assert run.data.tags["mlflow.parentRunId"] == dagster_run[0].info.run_id
        experiment = run.info.experiment_id
        assert metadata["mlflow_run_url"].value == f"{UI}/#/experiments/{experiment}/runs/{version.run_id}"
        assert metadata["model_version_url"].value == f"{UI}/#/models/{version.name}/versions/{version.version}"
    assert len(result.get_asset_materialization_events()) == 2


def test_a_partitioned_training_run_is_tagged_with_its_partition(resources):
    @dg.asset(partitions_def=dg.DailyPartitionsDefinition("2025-01-01"))
    def daily_model(context: dg.AssetExecutionContext, mlflow: MlflowTracking):
        with tracking.training_run("riskhub", "daily_model", mlflow.training_tags(context)) as run:
            return dg.MaterializeResult(metadata={"mlflow_run_id": run.info.run_id})

    result = dg.materialize([daily_model], partition_key="2025-01-02", resources=resources)
    (materialization,) = result.get_asset_materialization_events()
    run = MlflowClient().get_run(materialization.materialization.metadata["mlflow_run_id"].value)
    assert run.info.status == "FINISHED"
    assert {k: run.data.tags[k] for k in ("dagster_run_id", "dagster_asset_key", "dagster_partition")} == {
        "dagster_run_id": result.run_id,
        "dagster_asset_key": "daily_model",
        "dagster_partition": "2025-01-02",
    }
    assert MlflowClient().get_run(run.data.tags["mlflow.parentRunId"]).info.status == "FINISHED"
