"""The transaction anomaly model: an isolation forest that ranks rows by how unusual their amounts and labels are."""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.ensemble import IsolationForest

from riskhub_assets.ml.frame import MISSING, TableEncoder, as_frame, as_text


def _signed_log(values: pd.DataFrame) -> pd.DataFrame:
    return np.sign(values) * np.log1p(values.abs())


def _robust_scale(values: pd.Series) -> float:
    """A typical deviation in standard-deviation units: IQR / 1.349, else 1.4826 * MAD, else the SD, else 1."""
    q1, q3 = values.quantile([0.25, 0.75])
    mad = (values - values.median()).abs().median()
    return next((float(s) for s in ((q3 - q1) / 1.349, 1.4826 * mad, values.std()) if s > 0), 1.0)


class AnomalyModel(BaseEstimator):
    """Isolation forest on every column, heavy-tailed non-negative numbers log-scaled; higher score = more unusual."""

    def __init__(
        self,
        n_estimators: int = 200,
        max_samples: int | float | str = "auto",
        skew_threshold: float = 1.0,
        n_jobs: int = 2,
        random_state: int = 0,
    ):
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.skew_threshold = skew_threshold
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X, y=None) -> "AnomalyModel":
        """Learn what usual rows look like; `y` is ignored (accepted so searches can score against known cases)."""
        X = as_frame(X)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = len(X.columns)
        self.encoder_ = TableEncoder().fit(X)
        raw = pd.DataFrame(self.encoder_.numeric(X), columns=self.encoder_.numeric_)
        self.log_columns_ = [c for c in raw if raw[c].min() >= 0 and raw[c].skew() > self.skew_threshold]
        values = self._numeric(X, fill=False)
        self.medians_ = values.median().fillna(0.0)
        self.scales_ = values.apply(_robust_scale)
        self.unseen_share_ = 0.5 / len(X)
        self.shares_ = {c: self._labels(X, c).value_counts(normalize=True) for c in self.encoder_.categories_}
        self.forest_ = IsolationForest(
            n_estimators=self.n_estimators,
            max_samples=self.max_samples,
            n_jobs=self.n_jobs,
            random_state=self.random_state,
        ).fit(self._matrix(X))
        return self

    @staticmethod
    def _labels(X: pd.DataFrame, column: str) -> pd.Series:
        return as_text(X[column]).fillna(MISSING)

    def _numeric(self, X: pd.DataFrame, fill: bool = True) -> pd.DataFrame:
        values = pd.DataFrame(self.encoder_.numeric(X), columns=self.encoder_.numeric_, index=X.index)
        values[self.log_columns_] = _signed_log(values[self.log_columns_])
        return values.fillna(self.medians_) if fill else values

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        return np.hstack([self._numeric(X).to_numpy(), self.encoder_.one_hot(X)])

    def score_samples(self, X) -> np.ndarray:
        """Anomaly score per row in (0, 1], higher = more unusual (sklearn's score_samples negated; ~0.5 = ordinary)."""
        return -self.forest_.score_samples(self._matrix(as_frame(X)))

    def robust_z(self, X) -> pd.DataFrame:
        """Per row and column, how far the value is from usual in standard deviations (0 = the usual value)."""
        X = as_frame(X)
        values = self._numeric(X)
        z = ((values - self.medians_) / self.scales_).abs()
        # A label is as unusual as the normal deviate whose density is as far below the peak as its share is below
        # the commonest label's: z = sqrt(2 ln(top share / share)); labels unseen at fit time count as half a row.
        for column, shares in self.shares_.items():
            share = self._labels(X, column).map(shares).astype(float).fillna(self.unseen_share_)
            z[column] = np.sqrt(2 * np.log(shares.max() / share))
        return z[list(self.feature_names_in_)]

    def top_features(self, X, n: int = 3) -> pd.DataFrame:
        """Per row, the `n` features that make it most unusual by `robust_z`, most unusual first."""
        z = self.robust_z(X)
        order = np.argsort(-z.to_numpy(), axis=1, kind="stable")[:, :n]
        names = np.array(z.columns, dtype=object)[order]
        names = np.hstack([names, np.full((len(z), n - names.shape[1]), None)])
        return pd.DataFrame(names, index=z.index, columns=[f"feature_{i + 1}" for i in range(n)])
