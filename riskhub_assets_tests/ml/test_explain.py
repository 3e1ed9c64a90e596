"""Any classifier explained like a scorecard: points, and reason codes from the features that move PD most."""

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

from riskhub_assets.lib.training import _encoded
from riskhub_assets.ml.explain import points_from_pd, reason_names


def test_explain_gives_the_probability_points_and_reasons_of_the_separate_calls(train, test):
    model = _encoded(RandomForestClassifier(n_estimators=40, min_samples_leaf=20, random_state=0)).set_params(
        candidate_reasons=4
    )
    model.fit(*train)
    X, _ = test
    p, points, reasons = model.explain(X.head(300), n=3)
    np.testing.assert_allclose(p, model.predict_proba(X.head(300))[:, 1])
    np.testing.assert_allclose(points, points_from_pd(p))
    assert len(model.reference_) == 4 and set(reasons.stack().dropna()) <= set(model.reference_)
    riskiest = int(np.argmax(p))
    assert reasons.iloc[riskiest, 0] is not None  # the riskiest client has a reason to be so
    one = model.explain(X.iloc[[riskiest]], n=3)
    assert one[2].iloc[0].tolist() == reasons.iloc[riskiest].tolist()  # a row's reasons do not depend on its batch


def test_reasons_rank_the_largest_losses_first_and_ties_to_the_earlier_feature():
    rng = np.random.default_rng(0)
    losses = rng.integers(-2, 4, size=(500, 6)).astype(float)  # many ties, and rows where nothing costs
    losses[rng.random(losses.shape) < 0.05] = np.nan
    features = list("abcdef")
    order = np.argsort(-np.nan_to_num(losses, nan=-np.inf), axis=1, kind="stable")[:, :3]  # a stable sort's ranking
    kept = np.take_along_axis(losses, order, axis=1) > 1e-9
    expected = np.where(kept, np.array(features, dtype=object)[order], None)
    assert reason_names(losses, features, 3).tolist() == expected.tolist()
    assert reason_names(losses[:, :2], features[:2], 3)[:, 2].tolist() == [None] * 500  # fewer features than asked


def test_a_column_never_filled_has_a_missing_typical_value_instead_of_crashing():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=200), "segment": pd.Series([None] * 200, dtype=object)})
    y = (X["x"] + rng.normal(size=200) > 1).astype(int).to_numpy()
    model = _encoded(RandomForestClassifier(n_estimators=10, random_state=0)).fit(X, y)
    assert model.predict_proba(X).shape == (200, 2)
    assert set(model.reference_) <= {"x", "segment"} and model.reference_.get("segment") is None
