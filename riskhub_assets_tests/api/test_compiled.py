"""The compiled models give the numbers, points, grades and reasons of the models' own pandas path."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier
from xgboost import XGBClassifier

from riskhub_assets.api import compiled, scorers, serving, trees
from riskhub_assets.api.inputs import Inputs
from riskhub_assets.lib.training import _encoded
from riskhub_assets.ml import make_anomaly_model, make_churn_model, make_default_model

COLUMNS = {"segment": str, "missed_payments_90d": float, "balance": float, "utilisation": float, "has_card": bool}
TX_COLUMNS = {"amount": float, "channel": str, "hour_of_day": float, "is_online": bool}


def _clients(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Clients with missing values everywhere, a rare segment and a 0/1 flag (as training gets flags: floats)."""
    rng = np.random.default_rng(seed)
    risk = rng.normal(size=n)
    X = pd.DataFrame(
        {
            "segment": rng.choice(["mass", "affluent", "private"], n, p=[0.6, 0.395, 0.005]).astype(object),
            "missed_payments_90d": rng.poisson(np.exp(risk - 1)).astype(float),
            "balance": rng.lognormal(7, 1, n) * np.exp(-0.5 * risk),
            "utilisation": rng.beta(2, 5, n),
            "has_card": (rng.random(n) < 0.4 + 0.1 * (risk > 0)).astype(float),
        }
    )
    for column in X.columns:
        X.loc[rng.random(n) < 0.1, column] = np.nan
    return X, (rng.random(n) < 1 / (1 + np.exp(2 - 1.5 * risk))).astype(int)


def _requests(X: pd.DataFrame, columns: dict[str, type]) -> Inputs:
    """Request rows as the API validates them: None for missing, flags as booleans, plus unseen labels."""
    rows = X.astype(object).where(X.notna(), None).to_dict("records")
    for i, row in enumerate(rows):
        for column, kind in columns.items():
            if kind is bool and row[column] is not None:
                row[column] = bool(row[column])
            if kind is str and i % 17 == 5:
                row[column] = "never seen"
        if i % 23 == 0:
            rows[i] = dict.fromkeys(row)  # nothing known
    return Inputs.of_rows(rows)


def _pandas_frame(columns: dict[str, type], rows: Inputs) -> pd.DataFrame:
    """What the pandas path hands the model for these rows."""
    return scorers.to_frame(SimpleNamespace(columns=columns), rows)[list(columns)]


@pytest.fixture(scope="module")
def clients():
    return _clients(3000, seed=1), _requests(_clients(800, seed=2)[0], COLUMNS)


@pytest.mark.parametrize(
    "model",
    [
        make_default_model(),
        _encoded(XGBClassifier(n_estimators=60, max_depth=3, n_jobs=1, random_state=0, verbosity=0)),
        _encoded(RandomForestClassifier(n_estimators=30, min_samples_leaf=20, random_state=0)),
        _encoded(DecisionTreeClassifier(max_depth=4, random_state=0)),
    ],
    ids=["scorecard", "xgboost", "random_forest", "decision_tree"],
)
def test_a_compiled_default_model_explains_as_the_model_does(clients, model):
    (X, y), rows = clients
    model.fit(X, y)
    fast = compiled.compile_model("default", model, COLUMNS)
    p, points, reasons = fast.explain(rows, n=3)
    expected_p, expected_points, expected_reasons = model.explain(_pandas_frame(COLUMNS, rows), n=3)
    np.testing.assert_allclose(p, expected_p, rtol=1e-12, atol=0)
    np.testing.assert_allclose(points, expected_points, rtol=1e-12, atol=0)
    assert reasons.tolist() == expected_reasons.to_numpy().tolist()
    assert any(r[0] is not None for r in reasons.tolist())


@pytest.mark.parametrize(
    "classifier",
    [
        RandomForestClassifier(n_estimators=40, min_samples_leaf=10, random_state=0),
        ExtraTreesClassifier(n_estimators=20, max_depth=8, random_state=0),
        DecisionTreeClassifier(max_depth=6, random_state=0),
    ],
    ids=["random_forest", "extra_trees", "decision_tree"],
)
def test_tree_models_walk_only_the_variants_that_change_a_leaf_with_the_same_numbers(clients, classifier):
    (X, y), rows = clients
    fast = compiled.compile_model("default", _encoded(classifier).fit(X, y), COLUMNS)
    assert isinstance(fast.trees, trees.TreeVariants)
    matrix = fast.columns.transform(rows)
    p, gains = fast.trees.scored(matrix)
    fast.trees = None  # every variant through the whole model, as before
    expected_p, expected_gains = fast._scored(matrix)
    np.testing.assert_array_equal(p, expected_p)
    np.testing.assert_array_equal(gains, expected_gains)
    assert (gains != 0).any() and (gains == 0).any()


def test_tree_variants_send_missing_values_the_way_the_tree_learned():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(2000, 3))
    y = (X[:, 0] + np.where(np.isnan(X[:, 1]), 2, X[:, 1]) + rng.normal(size=2000) > 0.5).astype(int)
    X[rng.random(X.shape) < 0.2] = np.nan
    tree = DecisionTreeClassifier(max_depth=6, random_state=0).fit(X, y)
    candidates = [(np.array([0]), np.array([np.nan])), (np.array([1, 2]), np.array([0.25, np.nan]))]
    p, gains = trees.tree_variants(tree, candidates, width=3).scored(X)
    np.testing.assert_array_equal(p, tree.predict_proba(X)[:, 1])
    for k, (positions, values) in enumerate(candidates):
        variant = X.copy()
        variant[:, positions] = values
        np.testing.assert_array_equal(gains[:, k], p - tree.predict_proba(variant)[:, 1])
    assert (gains != 0).any(axis=0).all()


def test_a_forest_adding_its_trees_in_parallel_keeps_the_variants_through_the_model(clients):
    (X, y), _ = clients
    forest = RandomForestClassifier(n_estimators=5, n_jobs=2, random_state=0)  # trees added in any order
    assert compiled.compile_model("default", _encoded(forest).fit(X, y), COLUMNS).trees is None


def test_large_batches_shared_among_the_cores_give_every_row_the_same_answer(clients, monkeypatch):
    (X, y), rows = clients
    default = _encoded(XGBClassifier(n_estimators=40, max_depth=3, n_jobs=1, random_state=0, verbosity=0))
    forest = _encoded(RandomForestClassifier(n_estimators=20, min_samples_leaf=10, random_state=0))
    served = [
        serving.ServedModel("default", "riskhub_default_model", "1", default.fit(X, y), COLUMNS),
        serving.ServedModel("default", "riskhub_default_model", "2", forest.fit(X, y), COLUMNS),
        serving.ServedModel("churn", "riskhub_churn_model", "1", make_churn_model(n_estimators=30).fit(X, y), COLUMNS),
    ]
    assert all(s.compiled is not None for s in served)
    alone = [serving.score(s, rows) for s in served]
    monkeypatch.setattr(serving, "CORES", 3)
    monkeypatch.setattr(serving, "PARALLEL_ROWS", 100)
    assert len(serving.row_parts(len(rows))) == 3 and serving.row_parts(99) == [slice(0, 99)]
    assert [serving.score(s, rows) for s in served] == alone


def test_a_compiled_churn_model_gives_its_calibrated_probabilities(clients):
    (X, y), rows = clients
    model = make_churn_model(n_estimators=80).fit(X, y)
    fast = compiled.compile_model("churn", model, COLUMNS)
    np.testing.assert_array_equal(fast.proba(rows), model.predict_proba(_pandas_frame(COLUMNS, rows))[:, 1])


def _transactions(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tx = pd.DataFrame(
        {
            "amount": rng.lognormal(3, 1, n),
            "channel": rng.choice(["pos", "atm", "ecommerce", "branch"], n, p=[0.5, 0.3, 0.19, 0.01]).astype(object),
            "hour_of_day": rng.integers(0, 24, n).astype(float),
            "is_online": (rng.random(n) < 0.3).astype(float),
        }
    )
    for column in tx.columns:
        tx.loc[rng.random(n) < 0.05, column] = np.nan
    return tx


@pytest.mark.parametrize("max_samples", ["auto", 0.5])
def test_a_compiled_anomaly_model_scores_and_explains_as_the_model_does(max_samples):
    model = make_anomaly_model(n_estimators=60, max_samples=max_samples).fit(_transactions(3000, seed=1))
    rows = _requests(_transactions(700, seed=2), TX_COLUMNS)
    rows["amount"][1], rows["amount"][2] = 1e12, -5.0  # huge, and negative (logged columns keep the sign)
    frame = _pandas_frame(TX_COLUMNS, rows)
    fast = compiled.compile_model("anomaly", model, TX_COLUMNS)
    scores, top = fast.explain(rows, n=3)
    np.testing.assert_array_equal(scores, model.score_samples(frame))  # the same sums, tree by tree
    assert top.tolist() == model.top_features(frame, n=3).to_numpy().tolist()


def test_many_rows_go_tree_by_tree_with_the_same_scores(monkeypatch):
    model = make_anomaly_model(n_estimators=20).fit(_transactions(1000, seed=1))
    rows = _requests(_transactions(300, seed=3), TX_COLUMNS)
    fast = compiled.compile_model("anomaly", model, TX_COLUMNS)
    whole = fast.explain(rows)[0]
    monkeypatch.setattr(compiled.CompiledForest, "ROWS_AT_ONCE", 7)
    np.testing.assert_array_equal(fast.explain(rows)[0], whole)


@pytest.mark.parametrize("rows", [5, 2000])
def test_a_forest_on_a_subset_of_features_scores_as_scikit_learn(rows):
    from sklearn.ensemble import IsolationForest

    X = np.random.default_rng(0).normal(size=(3000, 6)) * [1, 10, 100, 1, 1, 1000]
    forest = IsolationForest(n_estimators=40, max_features=0.5, random_state=0).fit(X)
    walked = compiled.CompiledForest(forest).score_samples(X[:rows])
    np.testing.assert_array_equal(walked, -forest.score_samples(X[:rows]))


def test_the_api_serves_compiled_models_only_when_they_answer_as_the_pandas_path(clients, caplog, monkeypatch):
    (X, y), rows = clients
    model = _encoded(XGBClassifier(n_estimators=30, max_depth=2, n_jobs=1, random_state=0, verbosity=0)).fit(X, y)
    served = serving.ServedModel("default", "riskhub_default_model", "3", model, COLUMNS)
    assert isinstance(served.compiled, compiled.CompiledExplained)
    fast = serving.score(served, rows)
    served.compiled = None
    assert serving._same(serving.score(served, rows), fast)

    class Wrong(compiled.CompiledExplained):
        def explain(self, rows, n=3):
            p, points, reasons = super().explain(rows, n)
            return p * 1.001, points, reasons

    monkeypatch.setattr(serving, "compile_model", lambda kind, model, columns: Wrong(model, columns))
    assert serving.ServedModel("default", "riskhub_default_model", "3", model, COLUMNS).compiled is None
    monkeypatch.undo()
    assert "pandas path" in caplog.text
    assert serving.ServedModel("default", "riskhub_default_model", "3", None, COLUMNS).compiled is None


def test_probe_rows_cover_every_label_and_missing_values(clients):
    (X, y), _ = clients
    fast = compiled.compile_model("churn", make_churn_model(n_estimators=10).fit(X, y), COLUMNS)
    rows = compiled.probe_rows(fast, COLUMNS)
    segments = {r["segment"] for r in rows}
    assert {"mass", "affluent", None, compiled.UNSEEN} <= segments
    assert any(r["balance"] is None for r in rows) and {True, False} <= {r["has_card"] for r in rows}


def test_names_drop_the_none_that_trail_a_ranking():
    names = np.array([["a", "b", None], ["c", None, None], ["d", "e", "f"]], dtype=object)
    assert scorers._names(names) == [["a", "b"], ["c"], ["d", "e", "f"]]
    assert scorers._names(np.array([[None, "a"]], dtype=object)) == [["a"]]
