import numpy as np
import pandas as pd

from riskhub_assets.ml import make_churn_model
from riskhub_assets.ml.metrics import brier, calibration_by_grade


def _uncalibrated_brier(model, train, test) -> float:
    booster = model.booster().fit(model.encoder_.transform(train[0]), train[1])
    return brier(test[1], booster.predict_proba(model.encoder_.transform(test[0]))[:, 1])


def test_probabilities_are_calibrated(churn, train, test):
    X, y = test
    p = churn.predict_proba(X)[:, 1]
    assert brier(y, p) <= _uncalibrated_brier(churn, train, test) + 0.002
    assert abs(p.mean() - y.mean()) < 0.03
    deciles = pd.DataFrame({"p": p, "y": y}).groupby(pd.qcut(p, 10, labels=False)).mean()
    assert (deciles["p"] - deciles["y"]).abs().max() < 0.08


def test_calibration_repairs_an_overconfident_booster(train, test):
    model = make_churn_model(max_depth=8, learning_rate=0.3, n_estimators=150).fit(*train)
    assert brier(test[1], model.predict_proba(test[0])[:, 1]) < _uncalibrated_brier(model, train, test) - 0.01


def test_isotonic_calibration_also_works(train, test):
    model = make_churn_model(calibration="isotonic", n_estimators=100).fit(*train)
    assert abs(model.predict_proba(test[0])[:, 1].mean() - test[1].mean()) < 0.03
    assert not calibration_by_grade(test[1], model.predict_proba(test[0])[:, 1]).empty


def test_feature_importances_are_by_original_column(churn, train):
    importances = churn.feature_importances_
    assert set(importances.index) == set(train[0].columns)
    assert abs(importances.sum() - 1) < 1e-9
    assert importances.index[0] == "sensor_a"
    assert list(importances) == sorted(importances, reverse=True)


def test_unseen_categories_and_all_missing_rows_predict(churn, unusual_rows):
    rows = unusual_rows
    proba = churn.predict_proba(rows)
    assert np.isfinite(proba).all() and ((proba > 0) & (proba < 1)).all()
