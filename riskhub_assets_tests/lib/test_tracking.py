"""The registry is read from RiskHub's store whatever MLflow was pointed at before: a daily run's fresh process."""

import mlflow
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from riskhub_assets.lib import tracking
from riskhub_assets_tests.resources import tracking_uri


def test_champions_and_baselines_are_read_from_riskhubs_store_in_a_fresh_process(isolated_data, tmp_path, monkeypatch):
    tracking.use_store(tracking_uri(isolated_data))
    X = pd.DataFrame({"x": np.arange(20.0)})
    model = LogisticRegression().fit(X, np.arange(20) % 2)
    with tracking.training_run("riskhub", "riskhub_test_model", {}):
        version = tracking.log_model(model, "riskhub_test_model", X, pd.DataFrame({"p": model.predict_proba(X)[:, 1]}))
        tracking.log_baseline(X.assign(score=0.5))
        tracking.promote("riskhub_test_model", version, wins=True)
    monkeypatch.chdir(tmp_path)
    elsewhere = f"sqlite:///{tmp_path / 'mlflow.db'}"  # MLflow's own default in a fresh process: ./mlflow.db
    mlflow.set_tracking_uri(elsewhere)
    mlflow.set_registry_uri(elsewhere)
    assert tracking.champion_version("riskhub_test_model") == version
    mlflow.set_registry_uri(elsewhere)
    assert tracking.load_version("riskhub_test_model", version).predict_proba(X).shape == (20, 2)
    mlflow.set_tracking_uri(elsewhere)
    assert set(tracking.load_baseline("riskhub_test_model", version)) == {"x", "score"}
    assert not (tmp_path / "mlflow.db").exists()


def test_without_a_store_the_registry_is_not_read_from_mlflows_default(monkeypatch):
    monkeypatch.setattr(tracking, "_store_uri", None)
    with pytest.raises(RuntimeError, match="model_store resource"):
        tracking.champion_version("riskhub_test_model")
