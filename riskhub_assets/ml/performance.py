"""Sales performance: a 0-100 score (share of objective reached, capped at 100) predicted with gradient boosting."""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from xgboost import XGBRegressor

from riskhub_assets.ml.frame import TableEncoder, as_frame

SCORE_RANGE = (0.0, 100.0)


class PerformanceModel(RegressorMixin, BaseEstimator):
    """XGBoost regression on numeric and one-hot category columns; predictions clipped to the 0-100 score range.

    Shallow, few trees by default: there are only as many rows as managers (or branches) times months.
    """

    def __init__(
        self,
        n_estimators: int = 100,
        max_depth: int = 2,
        learning_rate: float = 0.05,
        subsample: float = 0.8,
        min_child_weight: float = 2.0,
        random_state: int = 0,
    ):
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.subsample = subsample
        self.min_child_weight = min_child_weight
        self.random_state = random_state

    def fit(self, X, y) -> "PerformanceModel":
        X, y = as_frame(X), np.asarray(y, dtype=float)
        self.encoder_ = TableEncoder().fit(X)
        self.regressor_ = XGBRegressor(
            n_estimators=self.n_estimators,
            max_depth=self.max_depth,
            learning_rate=self.learning_rate,
            subsample=self.subsample,
            min_child_weight=self.min_child_weight,
            tree_method="hist",
            importance_type="total_gain",
            n_jobs=1,
            random_state=self.random_state,
        ).fit(self.encoder_.transform(X), y)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def predict(self, X) -> np.ndarray:
        return np.clip(self.regressor_.predict(self.encoder_.transform(as_frame(X))), *SCORE_RANGE)

    def feature_importances(self) -> pd.Series:
        """Each input column's share of the total gain, largest first (one-hot columns summed per source column)."""
        gain = pd.Series(self.regressor_.feature_importances_, index=self.encoder_.sources_)
        shares = gain.groupby(level=0, sort=False).sum()
        return (shares / shares.sum() if shares.sum() > 0 else shares).sort_values(ascending=False)
