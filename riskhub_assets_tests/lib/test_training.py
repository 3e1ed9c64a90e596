"""Model selection: cross-validated search in worker processes, reason codes looked for only in the final refit."""

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier

from riskhub_assets.lib import training
from riskhub_assets.ml.explain import ExplainedClassifier


def _rows(n=1200, seed=0):
    rng = np.random.default_rng(seed)
    risk = rng.normal(size=n)
    X = pd.DataFrame(
        {
            "missed_payments_90d": rng.poisson(np.exp(risk - 1)).astype(float),
            "loan_interest_rate": 0.035 + 0.012 * risk + rng.normal(0, 0.002, n),
            "noise": rng.normal(size=n),
            "segment": rng.choice(["mass", "affluent"], n),
        }
    )
    y = (rng.random(n) < 1 / (1 + np.exp(-(-2.5 + 1.8 * risk)))).astype(int)
    return X, y, np.arange(n) % 300  # 300 clients seen 4 times


def test_the_winner_is_refitted_with_its_parameters_and_explains_while_the_folds_do_not():
    X, y, groups = _rows()
    candidates = {k: v for k, v in training.default_candidates().items() if k in ("decision_tree", "xgboost")}
    selection = training.select_model(candidates, X, y, groups, n_iter=2, n_jobs=1)  # processes: test_models
    assert set(selection.cv_auc) == set(selection.cv_auc_se) == {"decision_tree", "xgboost"}
    best = max(selection.cv_auc, key=selection.cv_auc.get)
    assert selection.cv_auc[selection.name] >= selection.cv_auc[best] - selection.cv_auc_se[best] > 0.7
    assert isinstance(selection.model, ExplainedClassifier)
    fitted = selection.model.get_params()
    assert all(fitted[k] == v for k, v in selection.params.items())  # refitted with the winning grid point
    assert fitted["candidate_reasons"] == 15 and selection.model.reference_  # the final model gives reasons
    assert candidates[selection.name][0].get_params()["candidate_reasons"] == 15  # the candidate is left as it was
    assert selection.model.reason_codes(X.head(5))["reason_1"].notna().any()


def test_the_simplest_candidate_within_one_standard_error_of_the_best_is_chosen():
    X, y, groups = _rows()
    xgboost = training.default_candidates()["xgboost"]
    stump = (
        training._encoded(DecisionTreeClassifier(max_depth=1)),
        {"estimator__decisiontreeclassifier__criterion": ["gini"]},
    )
    tied = training.select_model({"first": xgboost, "second": xgboost}, X, y, groups, n_iter=1, n_jobs=1)
    assert tied.name == "first" and tied.cv_auc["first"] == tied.cv_auc["second"] and tied.cv_auc_se["first"] > 0
    beaten = training.select_model({"stump": stump, "xgboost": xgboost}, X, y, groups, n_iter=1, n_jobs=1)
    assert beaten.cv_auc["stump"] < beaten.cv_auc["xgboost"] - beaten.cv_auc_se["xgboost"]
    assert beaten.name == "xgboost"  # a simpler model clearly worse is not chosen


def test_an_unexplained_fold_model_still_scores():
    X, y, _ = _rows(400)
    model = training._unexplained(training.default_candidates()["decision_tree"][0]).fit(X, y)
    assert model.reference_ == {}
    assert model.predict_proba(X).shape == (400, 2)
    assert training._unexplained("scorecard") == "scorecard"  # other estimators pass through


def test_models_learn_from_the_labelled_dates_of_the_latest_window_only():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA features")
    dates = [dt.date(2025, 1, 6) + dt.timedelta(days=7 * i) for i in range(20)]
    con.execute(
        "CREATE TABLE features.client_features AS SELECT unnest($dates::DATE[]) AS as_of_date, 'C1' AS client_id,"
        " 1.0 AS tx_count_30d",
        {"dates": dates},
    )
    con.execute(
        "CREATE TABLE features.client_labels AS SELECT as_of_date, client_id, false AS default_label,"
        " false AS churn_label, false AS rfm_proxy_label FROM features.client_features"
    )
    frame = training.labelled_frame(con, window_days=90)
    assert sorted(frame["as_of_date"].dt.date) == dates[-13:]  # 13 weekly dates fit in 90 days
    assert len(training.labelled_frame(con, window_days=365)) == 20


def test_flags_with_missing_values_become_numbers_with_gaps():
    frame = pd.DataFrame({"pep_flag": pd.Series([True, pd.NA, False], dtype="boolean"), "default_label": [1, 0, 0]})
    model_frame = training.as_model_frame(frame)
    assert model_frame["pep_flag"].dtype == float and model_frame["pep_flag"].isna().tolist() == [False, True, False]
    assert model_frame["default_label"].tolist() == [1, 0, 0]  # labels as they are
