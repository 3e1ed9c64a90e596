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


def _transactions(seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Card payments in shop hours, then PLANTED huge amounts and PLANTED night-time payments, otherwise ordinary."""
    rng = np.random.default_rng(seed)
    n = 2000
    table = pd.DataFrame(
        {
            "amount": rng.lognormal(4, 1, n),
            "hour": rng.integers(8, 21, n).astype(float),
            "payments_today": rng.poisson(3, n).astype(float),
            "channel": rng.choice(["pos", "atm", "online", "branch"], n, p=[0.5, 0.2, 0.25, 0.05]).astype(object),
        }
    )
    for column in table.columns:
        table.loc[rng.random(n) < 0.05, column] = np.nan
    ordinary = {"amount": np.exp(4), "hour": 14.0, "payments_today": 3.0, "channel": "pos"}
    huge = pd.DataFrame([ordinary] * PLANTED).assign(amount=rng.uniform(2e5, 1e6, PLANTED))
    night = pd.DataFrame([ordinary] * PLANTED).assign(hour=rng.choice([2.0, 3.0, 4.0], PLANTED))
    planted = pd.concat([huge, night], ignore_index=True)
    table = pd.concat([table, planted], ignore_index=True).sample(frac=1, random_state=seed)
    return table, (table.index >= n).astype(int)


@pytest.fixture(scope="module")
def transactions():
    return _transactions(seed=3)


@pytest.fixture(scope="module")
def anomaly(transactions):
    return make_anomaly_model().fit(transactions[0])


def test_planted_outliers_score_higher_than_ordinary_rows(anomaly, transactions):
    X, planted = transactions
    scores = anomaly.score_samples(X)
    assert scores.shape == (len(X),) and ((scores > 0) & (scores <= 1)).all()
    normal = scores[planted == 0]
    huge = X["amount"].to_numpy() > 1e5
    assert scores[huge].min() > np.quantile(normal, 0.97)
    assert scores[(planted == 1) & ~huge].min() > np.quantile(normal, 0.75)
    assert auc(planted, scores) > 0.9
    assert precision_at_budget(planted, scores, 2 * PLANTED) >= 0.5
    assert anomaly.predict(X, budget=2 * PLANTED).sum() == 2 * PLANTED


def test_the_top_feature_is_the_planted_one(anomaly, transactions):
    X, planted = transactions
    top = anomaly.top_features(X[planted == 1], n=2)
    assert list(top.columns) == ["feature_1", "feature_2"]
    is_huge = X.loc[planted == 1, "amount"] > 1e5
    assert (top.loc[is_huge, "feature_1"] == "amount").all()
    assert (top.loc[~is_huge, "feature_1"] == "hour").all()
    assert anomaly.top_features(X.head(3), n=6).iloc[:, 4:].isna().all().all()


def test_skewed_amounts_are_logged_and_labels_scored_by_rarity(anomaly):
    assert anomaly.log_columns_ == ["amount"]
    rows = pd.DataFrame({"amount": [np.nan] * 3, "hour": [14.0] * 3, "payments_today": [3.0] * 3})
    rows["channel"] = ["pos", "branch", "teleport"]
    z = anomaly.robust_z(rows)
    assert list(z.columns) == ["amount", "hour", "payments_today", "channel"]
    assert z.loc[0].abs().max() < 0.5
    assert 0 < z.loc[1, "channel"] < z.loc[2, "channel"]


def test_clone_grid_search_and_round_trips(anomaly, transactions):
    X, planted = transactions
    assert clone(anomaly).get_params() == anomaly.get_params()
    search = GridSearchCV(
        make_anomaly_model(),
        {"n_estimators": [50, 100]},
        scoring=lambda model, X, y: auc(y, model.score_samples(X)),
        cv=StratifiedKFold(2),
    ).fit(X, planted)
    assert search.best_score_ > 0.85
    data = sio.dumps(anomaly)
    assert set(sio.get_untrusted_types(data=data)) <= set(SKOPS_TRUSTED_TYPES)
    for copy in (pickle.loads(pickle.dumps(anomaly)), sio.loads(data, trusted=SKOPS_TRUSTED_TYPES)):
        np.testing.assert_array_equal(copy.score_samples(X), anomaly.score_samples(X))


def _day(day: pd.Timestamp) -> tuple:
    """The partition arguments of one day of anomaly flags."""
    return "transaction_date", day.date(), day.date()


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
    scored = (
        table.head(3)
        .reset_index(drop=True)
        .assign(transaction_id=["T1", "T2", "T3"], transaction_date=day, client_id="C1", account_id="A1")
    )
    with duckdb.connect() as con:  # the holiday's empty results replace its day and leave the day before alone
        replace_partition(con, "scores.anomaly_flags", anomaly_flags(model, scored, 1, "anomaly", "1"), *_day(day))
        replace_partition(con, "scores.anomaly_flags", flags, *_day(day + pd.Timedelta(days=1)))
        assert con.execute("SELECT count(*), count(alert_rank) FROM scores.anomaly_flags").fetchone() == (3, 1)
