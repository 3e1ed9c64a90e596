"""Rankings give equal scores the same ranks on every run, whatever order the rows come in: ties go to the smaller id."""

import datetime as dt

import numpy as np
import pandas as pd

from riskhub_assets.lib import scoring
from riskhub_assets.lib.features import TRANSACTION_KEYS
from riskhub_assets.ml import make_recommender

DAY = pd.Timestamp(dt.date(2025, 3, 4))


class TiedScores:
    """An anomaly model whose scores tie: what a rounded or saturated isolation forest gives for similar rows."""

    def score_samples(self, X: pd.DataFrame) -> np.ndarray:
        return X["amount"].to_numpy(float) // 100 / 10

    def top_features(self, X: pd.DataFrame, n: int = 3) -> pd.DataFrame:
        return pd.DataFrame({f"feature_{i + 1}": "amount" for i in range(n)}, index=X.index)


def _transactions(order: np.ndarray) -> pd.DataFrame:
    ids = [f"t{i:02d}" for i in range(12)]
    frame = pd.DataFrame(
        {
            "transaction_id": ids,
            "transaction_date": DAY,
            "client_id": "c1",
            "account_id": "a1",
            "amount": [500.0, 900.0, 500.0, 900.0, 100.0, 500.0, 900.0, 100.0, 100.0, 500.0, 900.0, 100.0],
        }
    )
    assert list(frame.columns[:4]) == TRANSACTION_KEYS
    return frame.iloc[order].reset_index(drop=True)


def test_alert_ranks_of_equal_anomaly_scores_do_not_depend_on_row_order():
    rng = np.random.default_rng(0)
    runs = []
    for _ in range(5):
        flags = scoring.anomaly_flags(TiedScores(), _transactions(rng.permutation(12)), 6, "m", "1")
        runs.append(flags.set_index("transaction_id")["alert_rank"].sort_index())
    assert all(run.equals(runs[0]) for run in runs)
    assert runs[0].dropna().sort_values().index.tolist() == ["t01", "t03", "t06", "t10", "t00", "t02"]


def test_churn_deciles_of_equal_probabilities_do_not_depend_on_row_order():
    class TiedChurn:
        def predict_proba(self, X):
            p = np.where(X["x"].to_numpy() > 0, 0.3, 0.1)
            return np.column_stack([1 - p, p])

    features = pd.DataFrame({"as_of_date": DAY, "client_id": [f"c{i:02d}" for i in range(20)], "x": np.arange(20) % 2})
    deciles = [
        scoring.churn_scores(TiedChurn(), features.sample(frac=1, random_state=seed), "m", "1")
        .set_index("client_id")["decile"]
        .sort_index()
        for seed in range(5)
    ]
    assert all(d.equals(deciles[0]) for d in deciles)
    assert deciles[0][["c01", "c03", "c00", "c02"]].tolist() == [1, 1, 6, 6]


def test_recommendation_ranks_of_equal_scores_do_not_depend_on_row_or_column_order():
    held = pd.DataFrame({"savings": [1, 0, 1, 0], "loan": [0, 1, 0, 1], "card": [0, 0, 0, 0], "fund": [0, 0, 0, 0]})
    held.index = ["c0", "c1", "c2", "c3"]
    model = make_recommender(method="popularity").fit(held)  # card and fund tie: nobody holds either
    lists = model.recommend(held, n=3).sort_values(["client", "rank"], ignore_index=True)
    shuffled = held.iloc[[3, 1, 0, 2]][["fund", "card", "loan", "savings"]]
    assert model.recommend(shuffled, n=3).sort_values(["client", "rank"], ignore_index=True).equals(lists)
