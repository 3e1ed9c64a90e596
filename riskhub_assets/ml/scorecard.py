"""The credit scorecard: binned features, weight of evidence, a logistic regression and points an officer can read."""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold

from riskhub_assets.ml.binning import fit_bins
from riskhub_assets.ml.explain import top_reasons
from riskhub_assets.ml.frame import as_frame

REGULARISATION_GRID = np.logspace(-3, 2, 11)
"""The inverse L2 strengths cross-validation chooses among when `C` is None: from heavy shrinkage to almost none."""

MIN_LABEL_ROWS = 30
"""Fewest rows a category label needs for a bin of its own, however common defaults are."""
SOLVER = "newton-cholesky"
"""Exact for a few WoE columns and many clients, and uses no thread pool: lbfgs ran 6-10x slower on a busy machine."""


def cross_validated_c(woe: np.ndarray, target: np.ndarray) -> float:
    """The regularisation whose regression predicts held-out clients best (log loss over 5 stratified folds)."""
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(woe, target)
    losses = np.zeros(len(REGULARISATION_GRID))
    for train, held_out in folds:
        for i, c in enumerate(REGULARISATION_GRID):
            model = LogisticRegression(C=c, solver=SOLVER, max_iter=1000).fit(woe[train], target[train])
            losses[i] += log_loss(target[held_out], model.predict_proba(woe[held_out])[:, 1], labels=[0, 1])
    return float(REGULARISATION_GRID[int(np.argmin(losses))])


class Scorecard(ClassifierMixin, BaseEstimator):
    """A points-based probability of default: the second class of `y` is the default (bad), higher points are safer."""

    def __init__(
        self,
        max_bins: int = 10,  # fine classing: quantile ranges per numeric feature at most, besides its missing bin
        min_bin_share: float = 0.05,  # coarse classing: least share of rows per numeric range
        min_label_events: float = 10.0,  # least expected defaults (rows x default rate) for a label's own bin, and
        # at least 30 rows: rarer labels are pooled into OTHER
        monotone: bool = True,  # merge adjacent numeric ranges until the default rate only rises or only falls
        min_iv: float = 0.02,  # features with less information value are dropped
        C: float | None = None,  # inverse L2 regularisation strength; None = chosen by cross-validation
        pdo: float = 20.0,  # points to double the odds
        base_score: float = 600.0,  # score at which good:bad odds are base_odds:1
        base_odds: float = 50.0,
    ):
        self.max_bins = max_bins
        self.min_bin_share = min_bin_share
        self.min_label_events = min_label_events
        self.monotone = monotone
        self.min_iv = min_iv
        self.C = C
        self.pdo = pdo
        self.base_score = base_score
        self.base_odds = base_odds

    def fit(self, X, y) -> "Scorecard":
        """Bin every column, keep those with an information value of `min_iv`+, fit the regression (its
        regularisation cross-validated unless `C` is given), scale points."""
        X = as_frame(X)
        self.classes_, target = np.unique(np.asarray(y), return_inverse=True)
        if len(self.classes_) != 2:
            raise ValueError(f"a scorecard needs exactly two classes (good, bad), got {list(self.classes_)}")
        target = target.astype(float)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = len(X.columns)
        min_count = self.min_bin_share * len(X)
        min_label_count = max(MIN_LABEL_ROWS, self.min_label_events / max(min(target.mean(), 1 - target.mean()), 1e-9))
        bins = {c: fit_bins(X[c], target, self.max_bins, min_count, self.monotone, min_label_count) for c in X.columns}
        self.iv_ = dict(sorted(((c, b.iv_) for c, b in bins.items()), key=lambda item: -item[1]))
        kept = [c for c, iv in self.iv_.items() if iv >= self.min_iv] or list(self.iv_)[:1]
        self.bins_ = {c: bins[c] for c in kept}
        woe = self._woe(X)
        self.C_ = cross_validated_c(woe, target) if self.C is None else float(self.C)
        self.model_ = LogisticRegression(C=self.C_, solver=SOLVER, max_iter=1000).fit(woe, target)
        self.factor_ = float(self.pdo / np.log(2))
        self.offset_ = float(self.base_score - self.factor_ * np.log(self.base_odds))
        shared = (self.offset_ - self.factor_ * self.model_.intercept_[0]) / len(kept)
        self.points_ = {
            c: shared - self.factor_ * coef * b.woe_ for (c, b), coef in zip(self.bins_.items(), self.model_.coef_[0])
        }
        return self

    @property
    def information_value_(self) -> pd.Series:
        """Every column's information value, highest first: < 0.02 useless, 0.1-0.3 medium, > 0.3 strong."""
        return pd.Series(self.iv_, name="iv", dtype=float)

    @property
    def features_(self) -> list[str]:
        """The columns the scorecard kept, in decreasing information value."""
        return list(self.bins_)

    @property
    def binning_table_(self) -> pd.DataFrame:
        """Every kept feature's bins with clients, default rate, WoE, IV contribution and (rounded) points."""
        rows = [
            {
                "feature": c,
                "bin": label,
                "count": int(b.count_[i]),
                "event_rate": b.events_[i] / b.count_[i] if b.count_[i] else np.nan,
                "woe": b.woe_[i],
                "iv_contribution": b.iv_contribution_[i],
                "points": int(np.round(self.points_[c][i])),
            }
            for c, b in self.bins_.items()
            for i, label in enumerate(b.labels)
        ]
        return pd.DataFrame(rows)

    def _woe(self, X: pd.DataFrame) -> np.ndarray:
        return np.column_stack([b.woe_[b.assign(X[c])] for c, b in self.bins_.items()])

    def _points(self, X: pd.DataFrame) -> np.ndarray:
        return np.column_stack([self.points_[c][b.assign(X[c])] for c, b in self.bins_.items()])

    def predict_proba(self, X) -> np.ndarray:
        """Columns [P(good), P(default)] per client."""
        return self.model_.predict_proba(self._woe(as_frame(X)))

    def predict(self, X) -> np.ndarray:
        """The more likely class per client (a 50% PD cut-off; use `score_points` or a threshold on PD instead)."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def score_points(self, X) -> np.ndarray:
        """Credit score per client, higher = safer: `base_score` at odds `base_odds`:1, odds double every `pdo`."""
        return self._points(as_frame(X)).sum(axis=1)

    def reason_codes(self, X, n: int = 3) -> pd.DataFrame:
        """Per client, the `n` features costing the most points against their best bin (None once none costs any)."""
        X = as_frame(X)
        best = np.array([p[b.count_ > 0].max() for p, b in zip(self.points_.values(), self.bins_.values())])
        return top_reasons(best - self._points(X), self.features_, X.index, n)

    def explain(self, X, n: int = 3) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
        """Probability of default, score points and the `n` reason codes per client."""
        return self.predict_proba(X)[:, 1], self.score_points(X), self.reason_codes(X, n)
