"""Grouping a feature's values into bins and measuring how well each bin tells defaulters apart (weight of evidence)."""

import numpy as np
import pandas as pd

from riskhub_assets.ml.frame import MISSING, OTHER, as_numbers, as_text, category_codes, is_numeric

SMOOTHING = 0.5
"""Pseudo-count added to every bin's goods and bads, so a bin without defaults still has a finite WoE."""


def woe_iv(count: np.ndarray, events: np.ndarray, min_count: float) -> tuple[np.ndarray, np.ndarray]:
    """Per bin, the weight of evidence ln(%goods / %bads) (> 0 = safer than average) and its part of the IV."""
    # Bins with fewer than `min_count` clients (a rare OTHER or MISSING) are too small to judge: neutral WoE of 0.
    goods, bins = count - events, len(count)
    good_share = (goods + SMOOTHING) / (goods.sum() + SMOOTHING * bins)
    bad_share = (events + SMOOTHING) / (events.sum() + SMOOTHING * bins)
    woe = np.where(count >= max(min_count, 1), np.log(good_share / bad_share), 0.0)
    return woe, (good_share - bad_share) * woe


class FeatureBins:
    """One feature's bins: value ranges (numeric) or labels (categorical), then OTHER for labels, then MISSING."""

    def __init__(self, edges: np.ndarray | None = None, categories: list[str] | None = None):
        self.edges = edges
        self.categories = categories

    @property
    def labels(self) -> list[str]:
        """The bins' names in bin order, e.g. "(1.5, 3]" or "retail"."""
        if self.categories is not None:
            return [*self.categories, OTHER, MISSING]
        bounds = [-np.inf, *self.edges, np.inf]
        ranges = [f"({lo:.4g}, {hi:.4g}" + (")" if hi == np.inf else "]") for lo, hi in zip(bounds, bounds[1:])]
        return [*ranges, MISSING]

    def assign(self, column: pd.Series) -> np.ndarray:
        """The bin index of every value; unseen labels fall in OTHER."""
        if self.categories is not None:
            return category_codes(column, self.categories)
        x = as_numbers(column)
        return np.where(np.isnan(x), len(self.edges) + 1, np.searchsorted(self.edges, x, side="left"))

    def measure(self, column: pd.Series, target: np.ndarray, min_count: float) -> "FeatureBins":
        """Count clients and defaults per bin and derive each bin's WoE and IV contribution."""
        index = self.assign(column)
        self.count_ = np.bincount(index, minlength=len(self.labels))
        self.events_ = np.bincount(index, weights=target, minlength=len(self.labels))
        self.woe_, self.iv_contribution_ = woe_iv(self.count_, self.events_, min_count)
        self.iv_ = float(self.iv_contribution_.sum())
        return self


def _counts(x: np.ndarray, y: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    index = np.searchsorted(edges, x, side="left")
    return np.bincount(index, minlength=len(edges) + 1), np.bincount(index, weights=y, minlength=len(edges) + 1)


def _merge_small(x: np.ndarray, edges: np.ndarray, min_count: float) -> np.ndarray:
    while len(edges):
        count = np.bincount(np.searchsorted(edges, x, side="left"), minlength=len(edges) + 1)
        i = int(np.argmin(count))
        if count[i] >= max(min_count, 1):
            break
        into_left = i > 0 and (i == len(edges) or count[i - 1] <= count[i + 1])
        edges = np.delete(edges, i - 1 if into_left else i)
    return edges


def _monotone(x: np.ndarray, y: np.ndarray, edges: np.ndarray, direction: int) -> np.ndarray:
    while len(edges):
        count, events = _counts(x, y, edges)
        breaks = np.flatnonzero(direction * np.diff(events / count) < 0)
        if not breaks.size:
            break
        edges = np.delete(edges, breaks[0])
    return edges


def _iv(x: np.ndarray, y: np.ndarray, edges: np.ndarray) -> float:
    return float(woe_iv(*_counts(x, y, edges), 0)[1].sum())


def numeric_edges(x: np.ndarray, y: np.ndarray, max_bins: int, min_count: float, monotone: bool) -> np.ndarray:
    """Cut points of up to `max_bins` quantile bins of `min_count`+ values, merged to monotone event rates if asked."""
    present = ~np.isnan(x)
    x, y = x[present], y[present]
    if not x.size:
        return np.empty(0)
    edges = np.unique(np.quantile(x, np.linspace(0, 1, max_bins + 1)[1:-1]))
    edges = _merge_small(x, edges[edges < x.max()], min_count)
    if monotone and edges.size:
        edges = max((_monotone(x, y, edges, direction) for direction in (1, -1)), key=lambda e: _iv(x, y, e))
    return edges


def fit_bins(
    column: pd.Series, target: np.ndarray, max_bins: int, min_count: float, monotone: bool, min_label_count: float
) -> FeatureBins:
    """Bin one feature on the training rows: quantile ranges of `min_count`+ rows for numbers, one bin per label of
    `min_label_count`+ rows otherwise (a label is one group already: it needs fewer rows than a range to be judged)."""
    if is_numeric(column):
        bins = FeatureBins(edges=numeric_edges(as_numbers(column), target, max_bins, min_count, monotone))
        return bins.measure(column, target, min_count)
    counts = as_text(column).value_counts()
    bins = FeatureBins(categories=list(counts[counts >= max(min_label_count, 1)].index))
    return bins.measure(column, target, min_label_count)
