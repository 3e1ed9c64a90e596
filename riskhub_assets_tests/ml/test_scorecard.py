import numpy as np
import pandas as pd

from riskhub_assets.ml import Scorecard, make_default_model


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
