"""Daily scores from champion models: probability of default with grade and reasons, churn risk, transaction alerts."""

import datetime as dt
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from riskhub_assets.lib.features import TRANSACTION_KEYS
from riskhub_assets.lib.training import KEYS, as_model_frame
from riskhub_assets.ml import metrics

CHURN_BANDS = {"low": 0.05, "medium": 0.15, "high": 1.0}
"""Churn risk bands by upper bound of the 90-day churn probability."""

DRIFT_WARN, DRIFT_FAIL = 0.10, 0.25
"""Population stability: below 0.10 stable, 0.10 to 0.25 worth a look, 0.25 or more a shift that fails."""


def client_features(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pd.DataFrame:
    """The client features of the days start..end, as models take them: what the client models score."""
    frame = con.execute(
        "SELECT * FROM features.client_features WHERE as_of_date BETWEEN $start AND $end ORDER BY as_of_date, client_id",
        {"start": start, "end": end},
    ).df()
    return as_model_frame(frame)


def default_scores(model, features: pd.DataFrame, model_name: str, model_version: str) -> pd.DataFrame:
    """Per client: probability of default, score points, master-scale grade, top three reason codes, model."""
    pd_, points, reasons = model.explain(features.drop(columns=KEYS), n=3)
    return pd.DataFrame(
        {
            "as_of_date": features["as_of_date"].dt.date,
            "client_id": features["client_id"],
            "probability_of_default": pd_,
            "score_points": np.round(points).astype(int),
            "grade": metrics.grade_of(pd_).astype(str),
            **{c: reasons[c].to_numpy() for c in reasons.columns},
            "model_name": model_name,
            "model_version": model_version,
        }
    )


def churn_scores(model, features: pd.DataFrame, model_name: str, model_version: str) -> pd.DataFrame:
    """Per client: 90-day churn probability, risk band, decile within the day (1 = most at risk), model."""
    probability = model.predict_proba(features.drop(columns=KEYS))[:, 1]
    bands = pd.cut(probability, [-np.inf, *CHURN_BANDS.values()], labels=list(CHURN_BANDS)).astype(str)
    frame = pd.DataFrame(
        {
            "as_of_date": features["as_of_date"].dt.date,
            "client_id": features["client_id"],
            "churn_probability": probability,
            "risk_band": bands,
            "model_name": model_name,
            "model_version": model_version,
        }
    )
    clients = frame.groupby("as_of_date")["client_id"].transform("size").to_numpy()
    rank = ranks(frame, "churn_probability", "client_id", "as_of_date")
    frame.insert(4, "decile", np.ceil(rank / clients * 10).astype(int))
    return frame


def ranks(frame: pd.DataFrame, score: str, key: str, within: str) -> np.ndarray:
    """Each row's rank (1 = highest `score`) within its `within` group, equal scores in `key` order: the same ranks
    whatever order the rows come in."""
    rows = frame[[within, score, key]].reset_index(drop=True)
    order = rows.sort_values([within, score, key], ascending=[True, False, True])
    return (order.groupby(within, sort=False).cumcount() + 1).sort_index().to_numpy()


def anomaly_flags(model, transactions: pd.DataFrame, budget: int, model_name: str, model_version: str) -> pd.DataFrame:
    """Per transaction: anomaly score; the day's `budget` most anomalous flagged with their top contributing features."""
    X = transactions.drop(columns=TRANSACTION_KEYS)
    frame = transactions[TRANSACTION_KEYS].copy()
    frame["transaction_date"] = frame["transaction_date"].dt.date
    frame["anomaly_score"] = model.score_samples(X) if len(X) else np.empty(0)  # a bank holiday: nothing to score
    frame["alert_rank"] = ranks(frame, "anomaly_score", "transaction_id", "transaction_date")
    frame["flagged"] = frame["alert_rank"] <= budget
    top = model.top_features(X[frame["flagged"].to_numpy()], n=3)
    for column in top.columns:
        frame[column] = pd.Series(top[column].to_numpy(), index=frame.index[frame["flagged"].to_numpy()], dtype=object)
    frame["alert_rank"] = frame["alert_rank"].where(frame["flagged"]).astype("Int64")
    frame["model_name"], frame["model_version"] = model_name, model_version
    return frame


@dataclass(frozen=True)
class Drift:
    """Population stability of each input present on both sides, and the inputs entirely missing on one side."""

    psi: dict[str, float]
    missing: dict[str, str]  # column -> where it is entirely missing


def _missing_side(trained: np.ndarray, today: np.ndarray | None) -> str | None:
    """Where a column is entirely missing: today, at training, on both sides, or nowhere (None)."""
    if today is None:
        return "not among today's inputs"
    sides = [side for side, values in (("at training", trained), ("today", today)) if not np.isfinite(values).any()]
    return " and ".join(sides) or None


def drift(baseline: dict[str, np.ndarray], current: pd.DataFrame) -> Drift:
    """Population stability index of each baseline column against today's values; a column entirely missing on one
    side (a bank that stopped sending a value, or started) is reported as such rather than scored."""
    psi, missing = {}, {}
    for column, trained in baseline.items():
        today = current[column].to_numpy(dtype=float) if column in current else None
        side = _missing_side(trained, today)
        if side is None:
            psi[column] = metrics.psi(trained, today)
        else:
            missing[column] = side
    return Drift(psi, missing)
