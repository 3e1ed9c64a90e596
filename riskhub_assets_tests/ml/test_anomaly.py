import pickle

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from riskhub_assets.ml import SKOPS_TRUSTED_TYPES, make_anomaly_model
from riskhub_assets.ml.metrics import auc, precision_at_budget

PLANTED = 10
BASELINES = {"amount": ("account_median", "this account's 90-day median for {channel}")}


def _transactions(seed: int, n: int = 2000) -> tuple[pd.DataFrame, np.ndarray]:
    """Payments by 100 accounts, each around its own usual amount, in shop hours; then PLANTED amounts 14x their
    account's usual and PLANTED night-time payments; a provider label one row in a thousand carries."""
    rng = np.random.default_rng(seed)
    usual = np.exp(rng.normal(4, 1, 100))
    account = rng.integers(0, 100, n + 2 * PLANTED)
    table = pd.DataFrame(
        {
            "amount": usual[account] * rng.lognormal(0, 0.25, len(account)),
            "account_median": usual[account],
            "hour": rng.integers(8, 21, len(account)).astype(float),
            "channel": rng.choice(["pos", "atm", "ecommerce"], len(account), p=[0.5, 0.2, 0.3]).astype(object),
            "provider": rng.choice(["p1", "p2", "rare"], len(account), p=[0.6, 0.399, 0.001]).astype(object),
        }
    )
    table.loc[n : n + PLANTED - 1, "amount"] = 14 * table.loc[n : n + PLANTED - 1, "account_median"]
    table.loc[n + PLANTED :, "hour"] = rng.choice([2.0, 3.0, 4.0], PLANTED)
    for column in ("hour", "channel", "provider"):
        table.loc[rng.random(len(table)) < 0.03, column] = np.nan
    y = (np.arange(len(table)) >= n).astype(int)
    order = rng.permutation(len(table))
    return table.iloc[order].reset_index(drop=True), y[order]


@pytest.fixture(scope="module")
def transactions():
    return _transactions(seed=3)


@pytest.fixture(scope="module")
def anomaly(transactions):
    return make_anomaly_model(baselines=BASELINES).fit(transactions[0])


def test_scikit_learn_conventions_lower_score_samples_is_more_abnormal(anomaly, transactions):
    X, planted = transactions
    assert auc(planted, -anomaly.score_samples(X)) > 0.95  # a user following scikit-learn ranks fraud first
    np.testing.assert_array_equal(anomaly.score_samples(X), -anomaly.anomaly_score(X))
    predicted = anomaly.predict(X)
    assert set(np.unique(predicted)) == {-1, 1}
    np.testing.assert_array_equal(predicted == -1, anomaly.decision_function(X) < 0)
    assert abs((predicted == -1).mean() - anomaly.contamination) < 0.01
    assert precision_at_budget(planted, anomaly.anomaly_score(X), 2 * PLANTED) >= 0.7


def test_a_rare_label_alone_is_not_suspicion_but_14x_the_accounts_usual_is(anomaly, transactions):
    X, _ = transactions
    ordinary = X[(X["amount"] < 1.2 * X["account_median"]) & X["hour"].between(10, 18)].head(2).copy()
    ordinary = ordinary.assign(channel="pos", provider="p1")
    rare, huge = ordinary.iloc[[0]].assign(provider="never-seen"), ordinary.iloc[[1]]
    huge = huge.assign(amount=14 * huge["account_median"])
    scores = anomaly.anomaly_score(X)
    assert anomaly.anomaly_score(rare)[0] <= np.quantile(scores, 0.5)
    assert anomaly.anomaly_score(huge)[0] >= np.quantile(scores, 0.99)


def test_reasons_name_the_context(anomaly, transactions):
    X, _ = transactions
    row = X[X["hour"].between(10, 18) & (X["amount"] < 1.2 * X["account_median"])].head(1).copy()
    row = row.assign(channel="ecommerce", amount=14 * row["account_median"])
    reasons = anomaly.explain(row).iloc[0].tolist()
    assert reasons[0] == "amount 14x this account's 90-day median for ecommerce"
    night = row.assign(amount=row["account_median"], hour=3.0)
    assert anomaly.explain(night).iloc[0, 0].startswith("hour 3 in ")
    assert anomaly.top_features(night).iloc[0].tolist() == ["hour", None, None]


def _confirmed_case(seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Frauds at a mule merchant with ordinary amounts and hours, among genuine payments some of which are large
    (what the unsupervised ranking raises); investigators decided a sample of both."""
    rng = np.random.default_rng(seed)
    n = 3000
    table = pd.DataFrame(
        {
            "amount": rng.lognormal(3, 1, n),
            "hour": rng.integers(8, 21, n).astype(float),
            "merchant": rng.choice([f"m{i}" for i in range(20)], n).astype(object),
        }
    )
    fraud = rng.random(n) < 0.02
    table.loc[fraud, "merchant"] = "mule"
    table.loc[fraud, "amount"] = rng.lognormal(3.5, 0.3, fraud.sum())
    return table, fraud.astype(int)


def test_learning_from_confirmed_fraud_beats_the_unsupervised_ranking():
    X, fraud = _confirmed_case(seed=1)
    outcomes = np.where(np.random.default_rng(2).random(len(X)) < 0.3, fraud, np.nan)  # investigated: 30%
    unsupervised = make_anomaly_model().fit(X)
    blended = make_anomaly_model().fit(X, outcomes)
    assert unsupervised.supervised_ is None and blended.supervised_ is not None
    X_new, fraud_new = _confirmed_case(seed=3)
    before = precision_at_budget(fraud_new, unsupervised.anomaly_score(X_new), 50)
    after = precision_at_budget(fraud_new, blended.anomaly_score(X_new), 50)
    assert after > before + 0.3


def test_too_few_outcomes_leave_the_ranking_unsupervised():
    X, fraud = _confirmed_case(seed=1)
    few = np.full(len(X), np.nan)
    few[np.flatnonzero(fraud)[:3]] = 1
    few[np.flatnonzero(fraud == 0)[:50]] = 0
    assert make_anomaly_model().fit(X, few).supervised_ is None


def test_clone_grid_search_and_round_trips(anomaly, transactions):
    X, planted = transactions
    assert clone(anomaly).get_params() == anomaly.get_params()
    search = GridSearchCV(
        make_anomaly_model(baselines=BASELINES),
        {"low_side_weight": [0.25, 0.5]},
        scoring=lambda model, X, y: auc(y, model.anomaly_score(X)),
        cv=StratifiedKFold(2),
    ).fit(X, planted)
    assert search.best_score_ > 0.9
    blended = make_anomaly_model().fit(*_confirmed_case(seed=1))
    for model, rows in ((anomaly, X), (blended, _confirmed_case(seed=2)[0])):
        data = sio.dumps(model)
        assert set(sio.get_untrusted_types(data=data)) <= set(SKOPS_TRUSTED_TYPES)
        for copy in (pickle.loads(pickle.dumps(model)), sio.loads(data, trusted=SKOPS_TRUSTED_TYPES)):
            np.testing.assert_array_equal(copy.score_samples(rows), model.score_samples(rows))


def _day(day: pd.Timestamp) -> tuple:
    """The partition arguments of one day of anomaly flags."""
    return "transaction_date", day.date(), day.date()


def _keyed(table: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    ids = [f"T{i}" for i in range(len(table))]
    return table.reset_index(drop=True).assign(
        transaction_id=ids, transaction_date=day, client_id="C1", account_id="A1"
    )


def test_an_empty_day_scores_to_empty_flags_not_a_crash(transactions):
    import duckdb

    from riskhub_assets.lib.features import TRANSACTION_KEYS
    from riskhub_assets.lib.frames import replace_partition
    from riskhub_assets.lib.scoring import anomaly_flags

    table, _ = transactions
    model = make_anomaly_model().fit(table.head(500))
    keys = {k: pd.Series(dtype="datetime64[ns]" if k == "transaction_date" else object) for k in TRANSACTION_KEYS}
    empty = pd.DataFrame(keys).join(table.head(0).reset_index(drop=True))
    flags = anomaly_flags(model, empty, 5, "anomaly", "1")
    assert flags.empty
    assert {"anomaly_score", "alert_rank", "flagged", "feature_1", "model_version"} <= set(flags.columns)
    day = pd.Timestamp("2025-03-04")
    scored = _keyed(table.head(3), day)
    with duckdb.connect() as con:  # the holiday's empty results replace its day and leave the day before alone
        replace_partition(con, "scores.anomaly_flags", anomaly_flags(model, scored, 1, "anomaly", "1"), *_day(day))
        replace_partition(con, "scores.anomaly_flags", flags, *_day(day + pd.Timedelta(days=1)))
        assert con.execute("SELECT count(*), count(alert_rank) FROM scores.anomaly_flags").fetchone() == (3, 1)


def test_reviewed_transactions_are_not_raised_again(anomaly, transactions):
    from riskhub_assets.lib.scoring import anomaly_flags

    X, _ = transactions
    scored = _keyed(X, pd.Timestamp("2025-03-04"))
    first = anomaly_flags(anomaly, scored, 5, "anomaly", "1")
    raised = frozenset(first.loc[first["flagged"], "transaction_id"])
    again = anomaly_flags(anomaly, scored, 5, "anomaly", "1", reviewed=raised)
    assert again["flagged"].sum() == 5 and not (again["flagged"] & again["transaction_id"].isin(raised)).any()
    assert again.loc[again["transaction_id"].isin(raised), "already_reviewed"].all()
    assert sorted(again.loc[again["flagged"], "alert_rank"].tolist()) == [1, 2, 3, 4, 5]
    assert first.loc[first["flagged"], "feature_1"].str.contains(" for ").all()
