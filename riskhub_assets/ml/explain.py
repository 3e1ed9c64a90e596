"""Any probability-of-default classifier made explainable like a scorecard: points and reason codes per client."""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from riskhub_assets.ml.frame import as_frame, is_numeric


def points_from_pd(pd_array, pdo: float = 20.0, base_score: float = 600.0, base_odds: float = 50.0) -> np.ndarray:
    """Credit score from a probability of default on the scorecard's scale: odds double every `pdo` points."""
    p = np.clip(np.asarray(pd_array, dtype=float), 1e-4, 1 - 1e-4)  # a PD is never certain: points stay finite
    factor = pdo / np.log(2)
    return base_score - factor * np.log(base_odds) + factor * np.log((1 - p) / p)


class ExplainedClassifier(ClassifierMixin, BaseEstimator):
    """Wraps a classifier: reason codes are the features whose move to a typical good client's value lowers PD most."""

    def __init__(self, estimator=None, pdo: float = 20.0, base_score: float = 600.0, base_odds: float = 50.0):
        self.estimator = estimator
        self.pdo = pdo
        self.base_score = base_score
        self.base_odds = base_odds

    def fit(self, X, y) -> "ExplainedClassifier":
        """Fit the classifier and remember a typical non-defaulter (medians, most frequent labels) as reference."""
        X, y = as_frame(X), np.asarray(y)
        self.estimator_ = clone(self.estimator).fit(X, y)
        self.classes_ = self.estimator_.classes_
        good = X[y == self.classes_[0]]
        self.reference_ = {c: good[c].median() if is_numeric(good[c]) else good[c].mode().iloc[0] for c in X.columns}
        return self

    def predict_proba(self, X) -> np.ndarray:
        return self.estimator_.predict_proba(as_frame(X))

    def predict(self, X) -> np.ndarray:
        """The more likely class per client (a 50% PD cut-off; use `score_points` or a threshold on PD instead)."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def score_points(self, X) -> np.ndarray:
        """Credit score per client on the scorecard scale, higher = safer."""
        return points_from_pd(self.predict_proba(X)[:, 1], self.pdo, self.base_score, self.base_odds)

    def reason_codes(self, X, n: int = 3) -> pd.DataFrame:
        """Per client, the `n` features whose typical-good value would lower the PD most (None when none would)."""
        X = as_frame(X)
        base = self.predict_proba(X)[:, 1]
        gains = np.column_stack(
            [base - self.predict_proba(X.assign(**{c: value}))[:, 1] for c, value in self.reference_.items()]
        )
        order = np.argsort(-gains, axis=1, kind="stable")[:, :n]
        names = np.array(list(self.reference_), dtype=object)[order]
        names[np.take_along_axis(gains, order, axis=1) <= 1e-9] = None
        names = np.hstack([names, np.full((len(X), n - names.shape[1]), None)])
        return pd.DataFrame(names, index=X.index, columns=[f"reason_{i + 1}" for i in range(n)])
