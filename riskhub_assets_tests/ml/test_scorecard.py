import numpy as np
import pandas as pd
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from riskhub_assets.ml import Scorecard, make_default_model
from riskhub_assets.ml.scorecard import REGULARISATION_GRID


def test_noise_columns_have_tiny_iv_and_are_dropped(scorecard):
    iv = scorecard.information_value_
    assert list(iv) == sorted(iv, reverse=True)
    assert iv.index[0] == "sensor_a"
    assert iv["humidity"] < 0.02 and iv["colour"] < 0.02
    assert scorecard.features_ == ["sensor_a", "region", "weight"]


def test_at_least_one_feature_is_kept(train):
    assert Scorecard(min_iv=100).fit(*train).features_ == ["sensor_a"]


def test_binning_table_has_monotone_numeric_bins_and_enough_rows_per_bin(scorecard, train):
    table = scorecard.binning_table_
    assert list(table.columns) == ["feature", "bin", "count", "event_rate", "woe", "iv_contribution", "points"]
    assert set(table["feature"]) == set(scorecard.features_)
    assert table.groupby("feature")["count"].sum().eq(len(train[0])).all()
    for feature in ("sensor_a", "weight"):
        ranges = table[(table["feature"] == feature) & (table["bin"] != "(missing)")]
        assert (ranges["count"] >= 0.05 * len(train[0])).all()
        assert ranges["event_rate"].is_monotonic_increasing
    iv = table.groupby("feature")["iv_contribution"].sum()
    np.testing.assert_allclose(iv, scorecard.information_value_[iv.index])


def test_points_double_the_odds_every_pdo(scorecard, test):
    X, _ = test
    points = scorecard.score_points(X)
    bad = scorecard.predict_proba(X)[:, 1]
    odds_good = (1 - bad) / bad
    np.testing.assert_allclose(np.log2(odds_good), np.log2(50) + (points - 600) / 20, atol=1e-9)
    gaps = np.abs(points[:, None] - points[None, :] - 20)
    i, j = np.unravel_index(np.argmin(gaps), gaps.shape)
    assert gaps[i, j] < 0.5
    assert abs(odds_good[i] / odds_good[j] - 2) < 0.05


def test_rounded_table_points_add_up_to_the_score(scorecard, test):
    X, _ = test
    row = X.iloc[[0]]
    table = scorecard.binning_table_.set_index(["feature", "bin"])["points"]
    bins = {f: b.labels[b.assign(row[f])[0]] for f, b in scorecard.bins_.items()}
    assert abs(sum(table[(f, label)] for f, label in bins.items()) - scorecard.score_points(row)[0]) <= 1.5


def test_reason_codes_name_the_feature_that_cost_the_most_points(scorecard):
    clients = pd.DataFrame(
        {
            "sensor_a": [3.0, -3.0, -3.0],
            "region": ["north", "north", "west"],
            "weight": [2.0, 500.0, 2.0],
            "colour": ["red", "red", "red"],
            "humidity": [50.0, 50.0, 50.0],
        }
    )
    reasons = scorecard.reason_codes(clients, n=3)
    assert list(reasons.columns) == ["reason_1", "reason_2", "reason_3"]
    assert reasons.iloc[0].tolist() == ["sensor_a", None, None]
    assert reasons.iloc[1].tolist() == ["weight", None, None]
    assert reasons.iloc[2].tolist() == ["region", None, None]
    assert scorecard.reason_codes(clients, n=5).shape == (3, 5)


def test_unseen_categories_and_all_missing_rows_predict(scorecard, unusual_rows):
    rows = unusual_rows
    proba = scorecard.predict_proba(rows)
    assert np.isfinite(proba).all() and ((proba > 0) & (proba < 1)).all()
    table = scorecard.binning_table_.set_index(["feature", "bin"])
    assert table.loc[("region", "(other)"), "woe"] == 0.0
    assert abs(table.xs("(missing)", level="bin")["points"].sum() - scorecard.score_points(rows)[1]) <= 1.5


def test_scaling_parameters_move_the_score(train, test):
    base = make_default_model().fit(*train).score_points(test[0])
    shifted = make_default_model(base_score=700, pdo=40).fit(*train).score_points(test[0])
    np.testing.assert_allclose(shifted, 700 + 2 * (base - 600) + 40 * np.log2(50) - 2 * 20 * np.log2(50))


def _branch_table(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Clients of 25 branches (4% each) whose default rates differ a lot, and an income that lowers the default rate."""
    rng = np.random.default_rng(seed)
    effect = np.random.default_rng(0).normal(0, 1.2, 25)
    branch = rng.integers(0, 25, n)
    income = rng.lognormal(8, 0.5, n)
    logit = -1.0 + effect[branch] - 0.8 * (np.log(income) - 8) / 0.5
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"branch": [f"b{b}" for b in branch], "income": income}).astype({"branch": object}), y


def _plain_logistic_regression():
    encode = make_column_transformer(
        (StandardScaler(), make_column_selector(dtype_include="number")),
        (OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_exclude="number")),
    )
    return make_pipeline(encode, LogisticRegression(max_iter=1000))


def test_scorecard_is_not_worse_than_plain_logistic_regression_on_a_small_table():
    """Labels of 4% each are a bin of their own, not pooled into OTHER: the branch signal one-hot encoding keeps."""
    (X, y), (X_test, y_test) = _branch_table(1500, seed=1), _branch_table(1500, seed=2)
    scorecard_auc = roc_auc_score(y_test, make_default_model().fit(X, y).predict_proba(X_test)[:, 1])
    plain_auc = roc_auc_score(y_test, _plain_logistic_regression().fit(X, y).predict_proba(X_test)[:, 1])
    assert scorecard_auc >= plain_auc - 0.005, (scorecard_auc, plain_auc)


def test_regularisation_is_chosen_by_cross_validation():
    """Heavy shrinkage when the table holds no signal, little when it holds a strong one; a given C is kept."""
    X, y = _branch_table(600, seed=3)
    noise = np.random.default_rng(4).integers(0, 2, len(y))
    signal_c = make_default_model(min_iv=0).fit(X, y).C_
    noise_c = make_default_model(min_iv=0).fit(X, noise).C_
    assert signal_c in REGULARISATION_GRID and noise_c in REGULARISATION_GRID
    assert noise_c < signal_c
    assert make_default_model(C=0.5).fit(X, y).C_ == 0.5


def test_small_table_gets_monotone_numeric_bins_of_enough_rows():
    """On 400 clients, each income range holds 5%+ of them and the default rate only falls as income rises."""
    X, y = _branch_table(400, seed=5)
    table = make_default_model(min_iv=0).fit(X, y).binning_table_
    ranges = table[(table["feature"] == "income") & (table["bin"] != "(missing)")]
    assert len(ranges) >= 2
    assert (ranges["count"] >= 0.05 * len(X)).all()
    assert ranges["event_rate"].is_monotonic_decreasing
