"""The answers a served model gives to validated rows: by the model's own pandas code, and by its compiled form."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskhub_assets.api.inputs import Inputs
from riskhub_assets.lib import scoring
from riskhub_assets.lib.training import KEYS
from riskhub_assets.ml import metrics

if TYPE_CHECKING:
    from riskhub_assets.api.serving import ServedModel


def to_frame(served: ServedModel, rows: Inputs) -> pd.DataFrame:
    """Validated request rows as the model's input frame: columns in signature order, flags as numbers."""
    columns = {
        column: np.array(rows[column], dtype=object if kind is str else float).reshape(len(rows))
        for column, kind in served.columns.items()
    }
    return pd.DataFrame({**columns, "client_id": rows.get("client_id")})


def score_default(served: ServedModel, rows: Inputs) -> list[dict]:
    """Probability of default, score points, grade and reason codes per client, as in the daily score table."""
    frame = to_frame(served, rows).assign(as_of_date=pd.Timestamp(dt.date.today()))
    scores = scoring.default_scores(served.model, frame[[*KEYS, *served.columns]], served.name, served.version)
    reasons = [c for c in scores.columns if c.startswith("reason_")]
    return [
        {
            "client_id": row["client_id"],
            "probability_of_default": float(row["probability_of_default"]),
            "score_points": int(row["score_points"]),
            "grade": row["grade"],
            "reason_codes": [row[c] for c in reasons if isinstance(row[c], str)],
            "model_name": served.name,
            "model_version": served.version,
        }
        for row in scores.to_dict("records")
    ]


def score_churn(served: ServedModel, rows: Inputs) -> list[dict]:
    """90-day churn probability and risk band per client."""
    frame = to_frame(served, rows)
    probability = served.model.predict_proba(frame[list(served.columns)])[:, 1]
    bands = pd.cut(probability, [-np.inf, *scoring.CHURN_BANDS.values()], labels=list(scoring.CHURN_BANDS))
    return [
        {
            "client_id": client,
            "churn_probability": float(p),
            "risk_band": str(band),
            "model_name": served.name,
            "model_version": served.version,
        }
        for client, p, band in zip(frame["client_id"], probability, bands)
    ]


def score_anomaly(served: ServedModel, rows: Inputs) -> list[dict]:
    """Anomaly score, its percentile among training transactions, and the top contributing features."""
    frame = to_frame(served, rows)[list(served.columns)]
    score = served.model.score_samples(frame)
    top = served.model.top_features(frame, n=3)
    percentile = (
        np.searchsorted(served.baseline_scores, score, side="right") / len(served.baseline_scores)
        if len(served.baseline_scores)
        else np.full(len(score), np.nan)
    )
    return [
        {
            "anomaly_score": float(s),
            "training_percentile": None if np.isnan(q) else float(q),
            "top_features": [f for f in features if isinstance(f, str)],
            "model_name": served.name,
            "model_version": served.version,
        }
        for s, q, features in zip(score, percentile, top.to_numpy().tolist())
    ]


SCORERS = {"default": score_default, "churn": score_churn, "anomaly": score_anomaly}


def _names(names: np.ndarray) -> list[list[str]]:
    """Each row's names without its None, which only trail (a ranking cut where nothing counts any more)."""
    present = names != None  # noqa: E711 (element by element)
    lists = names.tolist()
    if present.all():
        return lists
    if (present[:, 1:] <= present[:, :-1]).all():
        return [row[:k] for row, k in zip(lists, present.sum(axis=1).tolist())]
    return [[name for name in row if isinstance(name, str)] for row in lists]


def fast_default(served: ServedModel, rows: Inputs) -> list[dict]:
    """`score_default` by the compiled model."""
    p, points, reasons = served.compiled.explain(rows, n=3)
    grades = metrics.grade_of(p).astype(str).tolist()
    points = np.round(points).astype(int).tolist()
    name, version = served.name, served.version
    return [
        {
            "client_id": client,
            "probability_of_default": pd_,
            "score_points": pts,
            "grade": grade,
            "reason_codes": why,
            "model_name": name,
            "model_version": version,
        }
        for client, pd_, pts, grade, why in zip(rows.get("client_id"), p.tolist(), points, grades, _names(reasons))
    ]


_BAND_NAMES = np.array([*scoring.CHURN_BANDS, "nan"], dtype=object)
_BAND_BOUNDS = np.array(list(scoring.CHURN_BANDS.values()))


def fast_churn(served: ServedModel, rows: Inputs) -> list[dict]:
    """`score_churn` by the compiled model (bands as pd.cut gives them: right-closed, "nan" beyond)."""
    probability = served.compiled.proba(rows)
    bands = _BAND_NAMES[np.searchsorted(_BAND_BOUNDS, probability, side="left")].tolist()
    name, version = served.name, served.version
    return [
        {"client_id": client, "churn_probability": p, "risk_band": band, "model_name": name,
         "model_version": version}
        for client, p, band in zip(rows.get("client_id"), probability.tolist(), bands)
    ]  # fmt: skip


def fast_anomaly(served: ServedModel, rows: Inputs) -> list[dict]:
    """`score_anomaly` by the compiled model."""
    score, top = served.compiled.explain(rows, n=3)
    baseline = served.baseline_scores
    percentile = (
        (np.searchsorted(baseline, score, side="right") / len(baseline)).tolist()
        if len(baseline)
        else [None] * len(score)
    )
    name, version = served.name, served.version
    return [
        {"anomaly_score": s, "training_percentile": q, "top_features": features, "model_name": name,
         "model_version": version}
        for s, q, features in zip(score.tolist(), percentile, _names(top))
    ]  # fmt: skip


FAST_SCORERS = {"default": fast_default, "churn": fast_churn, "anomaly": fast_anomaly}
