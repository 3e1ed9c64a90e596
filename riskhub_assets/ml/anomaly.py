"""The transaction anomaly model: an isolation forest that ranks rows by how unusual their amounts and labels are."""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.ensemble import IsolationForest

from riskhub_assets.ml.frame import MISSING, as_frame, as_numbers, as_text, is_numeric


def _robust_scale(values: pd.Series) -> float:
    """A typical deviation in standard-deviation units: IQR / 1.349, else 1.4826 * MAD, else the SD, else 1."""
    values = values.dropna()
    q1, q3 = values.quantile([0.25, 0.75])
    mad = (values - values.median()).abs().median()
    return next((float(s) for s in ((q3 - q1) / 1.349, 1.4826 * mad, values.std()) if s > 0), 1.0)


class AnomalyModel(BaseEstimator):
    """Isolation forest on every column, heavy-tailed non-negative numbers log-scaled; higher score = more unusual."""

    # Each label column enters the forest as one number, its label's share of rows at fit time: rare labels are easy
    # to isolate, and label columns do not crowd amounts and counts out of the random feature choice as one-hot would.

    def __init__(
        self,
        n_estimators: int = 200,
        max_samples: int | float | str = "auto",
        skew_threshold: float = 1.0,  # non-negative columns more skewed than this at fit are log1p-transformed
        n_jobs: int = 1,
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
        self.numeric_ = [c for c in X.columns if is_numeric(X[c])]
        raw = pd.DataFrame({c: as_numbers(X[c]) for c in self.numeric_})
        self.log_columns_ = [c for c in self.numeric_ if raw[c].min() >= 0 and raw[c].skew() > self.skew_threshold]
        values = self._numeric(X, fill=False)
        self.medians_ = values.median().fillna(0.0).to_numpy()
        self.scales_ = np.array([_robust_scale(values[c]) for c in self.numeric_])
        self.unseen_share_ = 0.5 / len(X)
        labels = [c for c in X.columns if c not in self.numeric_]
        self.shares_ = {c: self._labels(X, c).value_counts(normalize=True).to_dict() for c in labels}
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
        """Numeric columns, log1p (sign-preserving) where chosen at fit, missing values as fit medians if `fill`."""
        values = pd.DataFrame({c: as_numbers(X[c]) for c in self.numeric_}, index=X.index, dtype=float)
        values[self.log_columns_] = np.sign(values[self.log_columns_]) * np.log1p(values[self.log_columns_].abs())
        return values.fillna(dict(zip(self.numeric_, self.medians_))) if fill else values

    def _shares(self, X: pd.DataFrame) -> pd.DataFrame:
        """Label columns as each label's fit-time share of rows; unseen labels count as half a row."""
        shares = {
            c: self._labels(X, c).map(s).astype(float).fillna(self.unseen_share_) for c, s in self.shares_.items()
        }
        return pd.DataFrame(shares, index=X.index, dtype=float)

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        return np.hstack([self._numeric(X).to_numpy(), self._shares(X).to_numpy()])

    def score_samples(self, X) -> np.ndarray:
        """Anomaly score per row in (0, 1], higher = more unusual (sklearn's score_samples negated; ~0.5 = ordinary)."""
        return -self.forest_.score_samples(self._matrix(as_frame(X)))

    def predict(self, X, budget: int | None = None) -> np.ndarray:
        """1 for rows to review, else 0: the `budget` highest scores, or without a budget every score above 0.5."""
        scores = self.score_samples(X)
        if budget is None:
            return (scores > 0.5).astype(int)
        flags = np.zeros(len(scores), dtype=int)
        flags[np.argsort(-scores, kind="stable")[:budget]] = 1
        return flags

    def robust_z(self, X) -> pd.DataFrame:
        """Per row and column, how far the value is from usual in standard deviations (0 = the usual value)."""
        X = as_frame(X)
        z = ((self._numeric(X) - self.medians_) / self.scales_).abs()
        # A label is as unusual as the normal deviate whose density is as far below the peak as its share is below
        # the commonest label's: z = sqrt(2 ln(top share / share)).
        top = {c: max(s.values()) for c, s in self.shares_.items()}
        z = z.join(np.sqrt(2 * np.log(pd.Series(top) / self._shares(X))))
        return z[list(self.feature_names_in_)]

    def top_features(self, X, n: int = 3) -> pd.DataFrame:
        """Per row, the `n` features that make it most unusual by `robust_z`, most unusual first."""
        z = self.robust_z(X)
        order = np.argsort(-z.to_numpy(), axis=1, kind="stable")[:, :n]
        names = np.array(z.columns, dtype=object)[order]
        names = np.hstack([names, np.full((len(z), n - names.shape[1]), None)])
        return pd.DataFrame(names, index=z.index, columns=[f"feature_{i + 1}" for i in range(n)])
