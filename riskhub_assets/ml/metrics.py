"""Validation measures (ranking, calibration, stability, grades); `y` is 1 for an event, a higher `p` is riskier."""

import numpy as np
import pandas as pd

# scikit-learn's metrics are imported inside the functions that use them: the table registry reads MASTER_SCALE here,
# and loading the Dagster definitions must not import scikit-learn.

MASTER_SCALE = {"A": 0.0025, "B": 0.005, "C": 0.01, "D": 0.02, "E": 0.04, "F": 0.08, "G": 0.15, "H": 0.30, "I": 1.0}
"""The rating grades, best first, each with its upper bound (inclusive) on the probability of default."""

PSI_EMPTY_BIN_COUNT = 0.5
"""Rows counted in a bin empty on one side only (additive smoothing): the index stays finite, and an empty bin in a
small sample weighs what half a row would, not a fixed share that turns sampling noise into an alarm."""
PSI_ROWS_PER_BIN = 25
"""Rows of the smaller side each quantile bin should hold: with fewer, sampling noise alone reads as a shift (the
index of two samples of one population grows with bins over rows), so a small day is compared on fewer bins."""


def auc(y, p) -> float:
    """Area under the ROC curve: the chance a random event is scored riskier than a random non-event."""
    from sklearn import metrics as skm

    return float(skm.roc_auc_score(y, p))


def gini(y, p) -> float:
    """Gini coefficient (accuracy ratio): 2 * AUC - 1, 0 for a random score and 1 for a perfect one."""
    return 2 * auc(y, p) - 1


def ks(y, p) -> float:
    """Kolmogorov-Smirnov statistic: the largest gap between the score distributions of events and non-events."""
    from sklearn import metrics as skm

    fpr, tpr, _ = skm.roc_curve(y, p)
    return float(np.max(np.abs(tpr - fpr)))


def pr_auc(y, p) -> float:
    """Area under the precision-recall curve (average precision): ranking power that respects rare events."""
    from sklearn import metrics as skm

    return float(skm.average_precision_score(y, p))


def brier(y, p) -> float:
    """Brier score: the mean squared gap between predicted probability and outcome (lower is better)."""
    from sklearn import metrics as skm

    return float(skm.brier_score_loss(y, p))


def confusion_at(y, p, threshold: float) -> dict[str, int]:
    """Counts of true/false negatives and positives when every row with p >= threshold is flagged."""
    from sklearn import metrics as skm

    tn, fp, fn, tp = skm.confusion_matrix(np.asarray(y).astype(int), np.asarray(p) >= threshold, labels=[0, 1]).ravel()
    return {"tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp)}


def classification_report_at(y, p, threshold: float) -> dict:
    """scikit-learn's classification report (as a dict) when every row with p >= threshold is flagged."""
    from sklearn import metrics as skm

    flagged = (np.asarray(p) >= threshold).astype(int)
    return skm.classification_report(np.asarray(y).astype(int), flagged, output_dict=True, zero_division=0)


def decile_table(y, p) -> pd.DataFrame:
    """Rows ranked riskiest first in ten equal groups (decile 1 = riskiest): events, rate, cumulative capture, lift."""
    frame = pd.DataFrame({"y": np.asarray(y, dtype=float), "p": np.asarray(p, dtype=float)})
    rank = frame["p"].rank(method="first", ascending=False)
    frame["decile"] = np.ceil(rank * 10 / len(frame)).astype(int)
    table = frame.groupby("decile").agg(
        count=("y", "size"), events=("y", "sum"), min_score=("p", "min"), mean_score=("p", "mean")
    )
    table["event_rate"] = table["events"] / table["count"]
    table["cumulative_capture"] = table["events"].cumsum() / table["events"].sum()
    table["lift"] = table["event_rate"] / (table["events"].sum() / table["count"].sum())
    return table.reset_index()


def _psi_edges(present: np.ndarray, bins: int) -> np.ndarray:
    """Interior bin edges at the training values' quantiles, each a training value (a bin holds values up to its
    edge): a count's bins hold whole counts, a value filling several quantiles (a count's 0, a flag) is one edge."""
    return np.unique(np.quantile(present, np.linspace(0, 1, bins + 1)[1:-1], method="lower"))


def _bin_counts(values: np.ndarray, interior: np.ndarray, low: float, high: float) -> np.ndarray:
    """Rows per bin: below the training range, between the edges, above it, and missing."""
    missing = np.isnan(values)
    x = values[~missing]
    index = np.where(x < low, 0, np.where(x > high, len(interior) + 2, np.searchsorted(interior, x, side="left") + 1))
    return np.append(np.bincount(index, minlength=len(interior) + 3), missing.sum())


def _psi_of_counts(expected: np.ndarray, actual: np.ndarray) -> float:
    """The index over bins either side fills, a bin empty on one side smoothed to PSI_EMPTY_BIN_COUNT rows."""
    used = (expected + actual) > 0
    e, a = (np.maximum(counts[used], PSI_EMPTY_BIN_COUNT) for counts in (expected, actual))
    e, a = e / e.sum(), a / a.sum()
    return float(np.sum((a - e) * np.log(a / e)))


def psi(expected, actual, bins: int = 10) -> float:
    """Population stability index of `actual` against `expected` (< 0.1 stable, 0.1-0.25 watch, > 0.25 shifted);
    missing values are a bin of their own, so a column missing entirely on one side shows as a large shift."""
    # Bins: `expected`'s quantiles (fewer for a small sample), one below and one above its range (so constant arrays
    # still compare), and missing.
    expected, actual = np.asarray(expected, dtype=float), np.asarray(actual, dtype=float)
    present = expected[~np.isnan(expected)]
    if present.size == 0:  # nothing to bin by: compare the rows missing and present
        e, a = (np.array([np.isnan(v).sum(), (~np.isnan(v)).sum()]) for v in (expected, actual))
        return _psi_of_counts(e, a)
    rows = min(present.size, int((~np.isnan(actual)).sum()))
    interior = _psi_edges(present, int(np.clip(rows // PSI_ROWS_PER_BIN, 2, bins)))
    e, a = (_bin_counts(v, interior, present.min(), present.max()) for v in (expected, actual))
    return _psi_of_counts(e, a)


def grade_of(pd_array) -> np.ndarray:
    """The master-scale grade of each probability of default (None where it is missing)."""
    p = np.asarray(pd_array, dtype=float)
    labels = np.array(list(MASTER_SCALE), dtype=object)
    index = np.minimum(np.searchsorted(list(MASTER_SCALE.values()), p, side="left"), len(labels) - 1)
    return np.where(np.isnan(p), None, labels[index])


def calibration_by_grade(y, p) -> pd.DataFrame:
    """Per master-scale grade, best first: its PD bound, rows, mean predicted PD and observed default rate."""
    frame = pd.DataFrame({"grade": grade_of(p), "y": np.asarray(y, dtype=float), "p": np.asarray(p, dtype=float)})
    table = frame.groupby("grade").agg(count=("y", "size"), mean_pd=("p", "mean"), default_rate=("y", "mean"))
    table = table.reindex(list(MASTER_SCALE)).fillna({"count": 0}).astype({"count": int})
    table.insert(0, "pd_upper", list(MASTER_SCALE.values()))
    return table.rename_axis("grade").reset_index()


def is_monotone_by_grade(y, p, min_count: int = 30, tolerance_se: float = 0.0, groups=None) -> bool:
    """Whether the observed default rate never falls from best to worst grade, over grades with `min_count`+ rows.

    With `tolerance_se` > 0, a fall counts only when it exceeds that many standard errors of the difference of
    the two rates, so two grades with 2 and 1 defaults in 700 clients are not called an inversion. With `groups`
    (say client ids, when a client appears at several as-of dates and so shares one outcome across rows), the
    standard error counts distinct groups in a grade, not rows.
    """
    table = calibration_by_grade(y, p)
    if groups is None:
        table["effective"] = table["count"]
    else:
        distinct = pd.Series(np.asarray(groups)).groupby(grade_of(p)).nunique()
        table["effective"] = table["grade"].map(distinct).fillna(0)
    table = table[table["count"] >= min_count]
    rate, count = table["default_rate"].to_numpy(float), table["effective"].to_numpy(float)
    pooled = (rate[:-1] * count[:-1] + rate[1:] * count[1:]) / (count[:-1] + count[1:])
    se = np.sqrt(pooled * (1 - pooled) * (1 / count[:-1] + 1 / count[1:]))
    return bool(np.all(rate[1:] - rate[:-1] >= -tolerance_se * se))


def precision_at_budget(y, scores, budget: int) -> float:
    """Share of true events among the `budget` highest scores, e.g. the cases investigators can review in a day."""
    if budget < 1:
        raise ValueError(f"budget must be at least 1, got {budget}")
    top = np.argsort(-np.asarray(scores, dtype=float), kind="stable")[:budget]
    return float(np.asarray(y, dtype=float)[top].mean())


def operating_threshold(y, p) -> float:
    """The cut-off maximising F1 (balance of precision and recall); flag rows with p >= it, as in `confusion_at`."""
    from sklearn import metrics as skm

    precision, recall, thresholds = skm.precision_recall_curve(y, p)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    return float(thresholds[np.argmax(f1[:-1])])
