"""Validation charts for MLflow (ROC, reliability, gains) as matplotlib figures drawn with Agg, never shown."""

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_curve

from riskhub_assets.ml.metrics import auc, brier, gini


def _figure(title: str, xlabel: str, ylabel: str) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(5, 5), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set(title=title, xlabel=xlabel, ylabel=ylabel, xlim=(0, 1), ylim=(0, 1))
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="random / perfect calibration")
    return figure, axes


def roc_figure(y, p) -> Figure:
    """ROC curve with AUC and Gini: events caught against non-events flagged, at every cut-off."""
    fpr, tpr, _ = roc_curve(y, p)
    figure, axes = _figure(
        f"ROC (AUC {auc(y, p):.3f}, Gini {gini(y, p):.3f})", "false positive rate", "true positive rate"
    )
    axes.plot(fpr, tpr, label="model")
    axes.legend(loc="lower right")
    return figure


def calibration_figure(y, p, bins: int = 10) -> Figure:
    """Reliability diagram: observed event rate against mean predicted probability, in equal-count bins."""
    observed, predicted = calibration_curve(y, p, n_bins=bins, strategy="quantile")
    top = max(observed.max(), predicted.max()) * 1.05 or 1.0
    figure, axes = _figure(f"Calibration (Brier {brier(y, p):.4f})", "mean predicted probability", "observed rate")
    axes.plot(predicted, observed, marker="o", label="model")
    axes.set(xlim=(0, top), ylim=(0, top))
    axes.legend(loc="upper left")
    return figure


def gains_figure(y, p) -> Figure:
    """Cumulative gains: the share of all events caught when reviewing the riskiest share of the population."""
    outcome = np.asarray(y, dtype=float)[np.argsort(-np.asarray(p, dtype=float), kind="stable")]
    population = np.arange(len(outcome) + 1) / len(outcome)
    captured = np.concatenate([[0.0], np.cumsum(outcome)]) / outcome.sum()
    figure, axes = _figure(
        "Cumulative gains", "share of population reviewed (riskiest first)", "share of events caught"
    )
    axes.plot(population, captured, label="model")
    axes.plot([0, outcome.mean(), 1], [0, 1, 1], linestyle=":", color="black", label="perfect")
    axes.legend(loc="lower right")
    return figure
