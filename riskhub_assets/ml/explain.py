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


def _typical(column: pd.Series):
    """A typical value: the median number or the commonest label; missing when the column was never filled."""
    if is_numeric(column):
        return column.median()
    labels = column.mode()
    return labels.iloc[0] if len(labels) else None


class ExplainedClassifier(ClassifierMixin, BaseEstimator):
    """Wraps a classifier: reason codes are the features whose move to a typical good client's value lowers PD most."""

    def __init__(
        self,
        estimator=None,
        pdo: float = 20.0,
        base_score: float = 600.0,
        base_odds: float = 50.0,
        candidate_reasons: int = 15,
    ):
        self.estimator = estimator
        self.pdo = pdo
        self.base_score = base_score
        self.base_odds = base_odds
        self.candidate_reasons = candidate_reasons

    def fit(self, X, y) -> "ExplainedClassifier":
        """Fit the classifier, remember a typical non-defaulter (medians, most frequent labels) as reference, and keep
        as candidate reasons the `candidate_reasons` features whose reference value moves PD most on training rows."""
        X, y = as_frame(X), np.asarray(y)
        self.estimator_ = clone(self.estimator).fit(X, y)
        self.classes_ = self.estimator_.classes_
        good = X[y == self.classes_[0]]
        self.reference_ = {c: _typical(good[c]) for c in X.columns}
        if self.candidate_reasons == 0:  # scored only (a cross-validation fold): no reason codes to look for
            self.reference_ = {}
            return self
        sample = X.sample(min(len(X), 2000), random_state=0)
        impact = np.abs(self._gains(sample)).mean(axis=0)
        keep = np.sort(np.argsort(-impact, kind="stable")[: self.candidate_reasons])
        self.reference_ = {c: self.reference_[c] for c in np.array(list(self.reference_))[keep]}
        return self

    def predict_proba(self, X) -> np.ndarray:
        return self.estimator_.predict_proba(as_frame(X))

    def predict(self, X) -> np.ndarray:
        """The more likely class per client (a 50% PD cut-off; use `score_points` or a threshold on PD instead)."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def score_points(self, X) -> np.ndarray:
        """Credit score per client on the scorecard scale, higher = safer."""
        return points_from_pd(self.predict_proba(X)[:, 1], self.pdo, self.base_score, self.base_odds)

    @property
    def _chunk(self) -> int:
        """Rows explained per model call: each row is scored once per candidate reason; keep a call near 500,000 rows."""
        return max(1, 500_000 // (len(self.reference_) + 1))

    def _scored(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """PD per row, and PD drop per row and candidate feature when that feature takes its typical-good value.

        One model call on the stacked variants: per-call overhead, not rows, dominates a pipeline's cost.
        """
        n, variants = len(X), len(self.reference_) + 1
        stacked = {c: np.tile(_widened(X[c].to_numpy()), variants) for c in X.columns}  # block 0: X as it is
        for block, (c, value) in enumerate(self.reference_.items(), start=1):
            stacked[c][block * n : (block + 1) * n] = value  # block k: candidate k at its typical-good value
        p = self.predict_proba(pd.DataFrame(stacked))[:, 1].reshape(variants, n)
        return p[0], (p[0] - p[1:]).T

    def _gains(self, X: pd.DataFrame) -> np.ndarray:
        return self._scored(X)[1]

    def explain(self, X, n: int = 3) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
        """Probability of default, score points and the `n` reason codes per client, from one model call per chunk."""
        X = as_frame(X)
        p, gains = in_chunks(lambda rows: self._scored(X.iloc[rows]), len(X), self._chunk, len(self.reference_))
        points = points_from_pd(p, self.pdo, self.base_score, self.base_odds)
        return p, points, top_reasons(gains, list(self.reference_), X.index, n)

    def reason_codes(self, X, n: int = 3) -> pd.DataFrame:
        """Per client, the `n` features whose typical-good value would lower the PD most (None when none would)."""
        return self.explain(X, n)[2]


def in_chunks(scored, n: int, chunk: int, candidates: int) -> tuple[np.ndarray, np.ndarray]:
    """PD and PD drops (`_scored`) of `n` rows, `scored` asked for at most `chunk` rows (a slice) at a time."""
    parts = [scored(slice(i, i + chunk)) for i in range(0, n, chunk)]
    p = np.concatenate([part[0] for part in parts]) if parts else np.empty(0)
    gains = np.vstack([part[1] for part in parts]) if parts else np.empty((0, candidates))
    return p, gains


def _widened(values: np.ndarray) -> np.ndarray:
    """Integer and flag columns as floats, so a median such as 2.5 is not truncated when put in."""
    return values.astype(float) if values.dtype.kind in "biu" else values


def reason_names(losses: np.ndarray, features: list[str], n: int) -> np.ndarray:
    """Per row, the `n` features that cost the most (largest loss first, ties to the earlier feature; None once no
    feature costs anything)."""
    order, costs = _largest(losses, min(n, len(features)))
    names = np.array(features, dtype=object)[order]
    names[costs <= 1e-9] = None
    return np.hstack([names, np.full((len(names), n - names.shape[1]), None)])


def _largest(values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the columns of the `n` largest values, largest first, and those values (NaN counts as -inf): a
    stable descending sort's first `n`, by `n` passes of argmax (which takes the first of equals) instead of a sort."""
    work = np.where(np.isnan(values), -np.inf, values)
    rows = np.arange(len(work))
    order, largest = np.empty((len(work), n), dtype=np.intp), np.empty((len(work), n))
    for j in range(n):
        order[:, j] = work.argmax(axis=1)
        largest[:, j] = work[rows, order[:, j]]
        work[rows, order[:, j]] = -np.inf
    return order, largest


def top_reasons(losses: np.ndarray, features: list[str], index, n: int) -> pd.DataFrame:
    """`reason_names` as a frame with columns reason_1..reason_n."""
    return pd.DataFrame(reason_names(losses, features, n), index=index, columns=[f"reason_{i + 1}" for i in range(n)])
