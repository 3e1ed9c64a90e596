"""Any classifier explained like a scorecard: points, and reason codes from the features that move PD most."""

import numpy as np
from sklearn.ensemble import RandomForestClassifier

from riskhub_assets.lib.training import _encoded
from riskhub_assets.ml.explain import points_from_pd


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
