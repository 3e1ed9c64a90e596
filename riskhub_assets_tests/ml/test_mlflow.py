import mlflow.sklearn
import numpy as np
import pytest

from riskhub_assets.ml import SKOPS_TRUSTED_TYPES, make_anomaly_model


@pytest.mark.parametrize("name", ["scorecard", "churn", "anomaly"])
def test_models_save_and_load_with_mlflow_skops(name, request, train, tmp_path):
    model = make_anomaly_model(n_estimators=50).fit(train[0]) if name == "anomaly" else request.getfixturevalue(name)
    path = tmp_path / name
    mlflow.sklearn.save_model(model, path, serialization_format="skops", skops_trusted_types=SKOPS_TRUSTED_TYPES)
    loaded = mlflow.sklearn.load_model(str(path))
    predict = "score_samples" if name == "anomaly" else "predict_proba"
    np.testing.assert_array_equal(getattr(loaded, predict)(train[0]), getattr(model, predict)(train[0]))
    assert "python_function" in mlflow.pyfunc.load_model(str(path)).metadata.flavors
