import pickle

import numpy as np
import pytest
import skops.io as sio
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from riskhub_assets.ml import SKOPS_TRUSTED_TYPES, make_churn_model, make_default_model
from riskhub_assets.ml.metrics import auc

CLASSIFIERS = {
    "scorecard": (make_default_model, {"C": [0.1, 1.0]}),
    "churn": (lambda **p: make_churn_model(n_estimators=60, **p), {"max_depth": [2, 3]}),
}


@pytest.fixture(scope="module", params=list(CLASSIFIERS))
def fitted(request, train):
    make, _ = CLASSIFIERS[request.param]
    return request.param, make().fit(*train)


def test_probabilities_have_the_right_shape_and_rank_held_out_rows(fitted, test):
    _, model = fitted
    X, y = test
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), 2)
    assert ((proba >= 0) & (proba <= 1)).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert list(model.classes_) == [0, 1]
    assert 0.7 < auc(y, proba[:, 1]) < 0.99
    assert set(model.predict(X)) <= {0, 1}


def test_string_and_category_dtypes_give_the_same_predictions(fitted, test):
    _, model = fitted
    X, _ = test
    typed = X.astype({"region": "string", "colour": "category"})
    np.testing.assert_allclose(model.predict_proba(typed), model.predict_proba(X))


def test_clone_and_grid_search(fitted, train):
    name, model = fitted
    make, grid = CLASSIFIERS[name]
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "classes_")
    search = GridSearchCV(make(), grid, cv=2, scoring="roc_auc").fit(*train)
    assert search.best_params_.keys() == grid.keys()
    assert search.best_estimator_.predict_proba(train[0]).shape == (len(train[0]), 2)


def test_pickle_and_skops_round_trips_predict_identically(fitted, test):
    _, model = fitted
    X, _ = test
    data = sio.dumps(model)
    assert set(sio.get_untrusted_types(data=data)) <= set(SKOPS_TRUSTED_TYPES)
    for copy in (pickle.loads(pickle.dumps(model)), sio.loads(data, trusted=SKOPS_TRUSTED_TYPES)):
        np.testing.assert_array_equal(copy.predict_proba(X), model.predict_proba(X))
