"""The transaction anomaly model: how unusual each transaction is for its context (its account's usual amounts, its
channel's, its merchant category's, its time of day), blended with what investigators confirmed when they have."""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from riskhub_assets.ml.anomaly_context import ContextStats, deviation_text
from riskhub_assets.ml.frame import TableEncoder, as_frame, is_numeric

REASON_Z = 1.0
"""Deviations within one typical deviation of the usual are ordinary: never given as a reason."""
QUANTILES = 2001
"""Training scores are kept as this many quantiles: where a new score stands among them, for the blended ranking."""


class AnomalyModel(OutlierMixin, BaseEstimator):
    """Context-aware anomaly detector with scikit-learn's outlier conventions: `score_samples` and `decision_function`
    lower = more abnormal, `predict` -1 (outlier) or 1; `anomaly_score` is the same ranking with higher = more unusual.

    Label columns are contexts, never outliers themselves: each number is compared with the usual of rows sharing
    its label (robust median and scale, or the share of that value for few-valued numbers such as the hour), a
    small group's usual shrunk towards everyone's, so a rare label alone moves nothing. `baselines` name a per-row
    usual value for a number (say this account's 90-day median amount), whose ratio is judged in context too. When
    `fit` gets outcomes `y` (1 confirmed fraud, 0 false positive, NaN not investigated) with `min_outcomes` of each,
    a logistic regression on the same deviations and labels learns from them and is blended into the ranking.
    """

    def __init__(
        self,
        baselines: dict | None = None,  # number column -> (baseline column, phrase naming it, may use {label column})
        min_group_rows: int = 30,  # a label's usual counts as much as everyone's at this many rows
        max_discrete: int = 24,  # integer columns with at most this many distinct values are judged by their shares
        skew_threshold: float = 1.0,  # non-negative columns more skewed than this at fit are compared on a log scale
        low_side_weight: float = 0.5,  # a value as far below its usual counts this much as one above
        contamination: float = 0.01,  # share of training rows `predict` calls outliers
        supervised_weight: float = 0.5,  # weight of the learnt probability in the blended ranking
        min_outcomes: int = 5,  # confirmed frauds and false positives each needed before learning from outcomes
    ):
        self.baselines = baselines
        self.min_group_rows = min_group_rows
        self.max_discrete = max_discrete
        self.skew_threshold = skew_threshold
        self.low_side_weight = low_side_weight
        self.contamination = contamination
        self.supervised_weight = supervised_weight
        self.min_outcomes = min_outcomes

    def fit(self, X, y=None) -> "AnomalyModel":
        """Learn each context's usual; with enough investigated outcomes in `y`, learn from them too."""
        X = as_frame(X)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = len(X.columns)
        self.stats_ = ContextStats(
            self.baselines or {}, self.min_group_rows, self.max_discrete, self.skew_threshold
        ).fit(X)
        self.supervised_ = None
        self.quantiles_ = np.quantile(self._unsupervised(X), np.linspace(0, 1, QUANTILES))
        if y is not None:
            self._learn_outcomes(X, np.asarray(y, dtype=float))
        self.offset_ = float(np.quantile(self.score_samples(X), self.contamination))
        return self

    def _unsupervised(self, X: pd.DataFrame) -> np.ndarray:
        """How unusual each row is for its contexts: the root sum of squares of its deviations (small deviations
        count too: several at once, as a fraud burst abroad at night has, add up)."""
        return np.sqrt((self._deviations(X) ** 2).sum(axis=1))

    def _deviations(self, X: pd.DataFrame, z: np.ndarray | None = None) -> np.ndarray:
        """Per row and measure, its deviation from usual (the low side down-weighted): a number's averaged over its
        contexts, a few-valued number's (the hour, a flag) in the context where its value is rarest."""
        z = self.stats_.z(X) if z is None else z
        deviations = np.where(z > 0, z, -self.low_side_weight * z)
        discrete = np.array([name in self.stats_.discrete_ for name, *_ in self.stats_.measures_], dtype=bool)
        return np.where(discrete[None, :], deviations.max(axis=2), deviations.mean(axis=2))

    def _design(self, X: pd.DataFrame) -> np.ndarray:
        """What the outcome model learns from: every signed deviation in every context, and the labels one-hot."""
        z = self.stats_.z(X)
        return np.hstack([z.reshape(len(X), -1), self.encoder_.one_hot(X)])

    def _learn_outcomes(self, X: pd.DataFrame, y: np.ndarray) -> None:
        """Fit the outcome model on the investigated rows, when both outcomes have `min_outcomes` cases."""
        known = ~np.isnan(y)
        if min((y[known] == 1).sum(), (y[known] == 0).sum()) < self.min_outcomes:
            return
        self.encoder_ = TableEncoder().fit(X[[c for c in X.columns if not is_numeric(X[c])]])
        self.supervised_ = make_pipeline(
            StandardScaler(), LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
        ).fit(self._design(X[known]), y[known].astype(int))

    def anomaly_score(self, X) -> np.ndarray:
        """How unusual each row is, higher = more unusual (0 = ordinary in every context); blended with the
        learnt probability of fraud when the model learnt from outcomes."""
        X = as_frame(X)
        unsupervised = self._unsupervised(X)
        if self.supervised_ is None:
            return unsupervised
        usual = np.interp(unsupervised, self.quantiles_, np.linspace(0, 1, QUANTILES))
        learnt = self.supervised_.predict_proba(self._design(X))[:, 1]
        # the raw score breaks ties among rows beyond every training row
        return (1 - self.supervised_weight) * usual + self.supervised_weight * learnt + 1e-9 * unsupervised

    def score_samples(self, X) -> np.ndarray:
        """scikit-learn's convention: the opposite of `anomaly_score`, lower = more abnormal."""
        return -self.anomaly_score(X)

    def decision_function(self, X) -> np.ndarray:
        """`score_samples` shifted so that negative = outlier: the `contamination` share of training rows is."""
        return self.score_samples(X) - self.offset_

    def predict(self, X) -> np.ndarray:
        """-1 for outliers, 1 for inliers, as scikit-learn's outlier detectors."""
        return np.where(self.decision_function(X) < 0, -1, 1)

    def robust_z(self, X) -> pd.DataFrame:
        """Per row and measure, its deviation from usual in typical deviations, averaged over its contexts."""
        X = as_frame(X)
        return pd.DataFrame(self._deviations(X), index=X.index, columns=self.stats_.measure_columns())

    def top_features(self, X, n: int = 3) -> pd.DataFrame:
        """Per row, the `n` input columns that make it most unusual, most unusual first (None past the unusual)."""
        z = self.robust_z(X)
        order = np.argsort(-z.to_numpy(), axis=1, kind="stable")[:, :n]
        names = np.array(z.columns, dtype=object)[order]
        names = np.where(np.take_along_axis(z.to_numpy(), order, axis=1) > REASON_Z, names, None)
        names = np.hstack([names, np.full((len(z), n - names.shape[1]), None)])
        return pd.DataFrame(names, index=z.index, columns=[f"feature_{i + 1}" for i in range(n)])

    def explain(self, X, n: int = 3) -> pd.DataFrame:
        """Per row, up to `n` reasons in words, each naming the context it is unusual for, e.g. "amount 14x this
        account's 90-day median for ecommerce" (None past the unusual)."""
        X = as_frame(X)
        z = self.stats_.z(X)
        deviations = np.where(z > 0, z, -self.low_side_weight * z)
        per_measure = self._deviations(X, z)
        order = np.argsort(-per_measure, axis=1, kind="stable")[:, :n]
        reasons = np.full((len(X), n), None, dtype=object)
        for row, measures in enumerate(order):
            for k, m in enumerate(measures):
                if per_measure[row, m] > REASON_Z:
                    context = int(np.argmax(deviations[row, m]))
                    reasons[row, k] = deviation_text(self.stats_, X.iloc[row], m, context)
        return pd.DataFrame(reasons, index=X.index, columns=[f"reason_{i + 1}" for i in range(n)])
