import mlflow.sklearn
import numpy as np
import pytest
import skops.io as sio
from sklearn.base import clone

from riskhub_assets.lib import training
from riskhub_assets.ml import SKOPS_TRUSTED_TYPES, make_anomaly_model, make_performance_model, make_recommender


@pytest.mark.parametrize("name", ["scorecard", "churn", "anomaly"])
def test_models_save_and_load_with_mlflow_skops(name, request, train, tmp_path):
    model = make_anomaly_model(n_estimators=50).fit(train[0]) if name == "anomaly" else request.getfixturevalue(name)
    path = tmp_path / name
    mlflow.sklearn.save_model(model, path, serialization_format="skops", skops_trusted_types=SKOPS_TRUSTED_TYPES)
    loaded = mlflow.sklearn.load_model(str(path))
    predict = "score_samples" if name == "anomaly" else "predict_proba"
    np.testing.assert_array_equal(getattr(loaded, predict)(train[0]), getattr(model, predict)(train[0]))
    assert "python_function" in mlflow.pyfunc.load_model(str(path)).metadata.flavors


def _every_registered_kind(train) -> dict[str, tuple[object, object]]:
    """Each kind of model RiskHub registers, fitted small, and rows it predicts on."""
    X, y = train
    held = (X[["sensor_a", "weight", "humidity"]].fillna(0) > X[["sensor_a", "weight", "humidity"]].median()).astype(
        int
    )
    candidates = {n: clone(m).fit(X, y) for n, (m, _) in training.default_candidates().items()}
    return {
        **{n: (m, X) for n, m in candidates.items() if n != "scorecard"},
        "recommender": (make_recommender(n_components=2).fit(held, held), held),
        "performance": (make_performance_model().fit(X.drop(columns="humidity"), X["humidity"].fillna(50)), X),
    }


def test_every_challenger_and_insight_model_loads_with_skops_and_riskhubs_trusted_types_alone(train):
    for name, (model, X) in _every_registered_kind(train).items():
        data = sio.dumps(model)
        assert set(sio.get_untrusted_types(data=data)) <= set(SKOPS_TRUSTED_TYPES), name
        loaded = sio.loads(data, trusted=SKOPS_TRUSTED_TYPES)
        predict = (
            "predict_proba" if hasattr(model, "predict_proba") else "score" if name == "recommender" else "predict"
        )
        np.testing.assert_array_equal(getattr(loaded, predict)(X), getattr(model, predict)(X), err_msg=name)
