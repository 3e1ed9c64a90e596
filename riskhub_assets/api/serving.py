"""The champion models as the scoring API serves them: loaded once, with request schemas from their signatures."""

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pydantic
import sklearn

from riskhub_assets.lib import scoring, tracking
from riskhub_assets.lib.training import KEYS

MODEL_NAMES = {
    "default": "riskhub_default_model",
    "churn": "riskhub_churn_model",
    "anomaly": "riskhub_anomaly_model",
}
"""The served models by the short name requests use, and their names in the MLflow registry."""

_TYPES = {"string": str, "boolean": bool}


@dataclass
class ServedModel:
    """A registered model version in memory, with the input columns its signature declares."""

    kind: str
    name: str
    version: str
    model: object
    columns: dict[str, type]  # input column: str, bool or float
    baseline_scores: np.ndarray = field(default_factory=lambda: np.array([]))
    request: type[pydantic.BaseModel] = field(init=False)

    def __post_init__(self) -> None:
        self.request = request_schema(self.kind, self.columns)

    def info(self) -> dict:
        types = {str: "string", bool: "boolean", float: "number"}
        return {
            "kind": self.kind,
            "model_name": self.name,
            "model_version": self.version,
            "inputs": list(self.columns),
            "input_types": {c: types[t] for c, t in self.columns.items()},
        }


def request_schema(kind: str, columns: dict[str, type]) -> type[pydantic.BaseModel]:
    """A strict request body: every input named (null for unknown), no other field, numbers finite."""
    fields = {name: (kind_ | None, ...) for name, kind_ in columns.items()}
    if kind in ("default", "churn"):
        fields["client_id"] = (str | None, None)
    config = pydantic.ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)
    return pydantic.create_model(f"{kind.title()}Request", __config__=config, **fields)


def signature_columns(name: str, version: str) -> dict[str, type]:
    """The input columns and Python types of a registered model version's signature."""
    import mlflow

    info = mlflow.models.get_model_info(f"models:/{name}/{version}")
    return {c.name: _TYPES.get(c.type.name, float) for c in info.signature.inputs.inputs}


def load_champions() -> dict[str, ServedModel]:
    """Every model that has a champion in the registry; a model without one is left out (its endpoint says so)."""
    tracking.use_experiment("riskhub")
    served = {}
    for kind, name in MODEL_NAMES.items():
        version = tracking.champion_version(name)
        if version is None:
            continue
        baseline = tracking.load_baseline(name, version).get("score", np.array([])) if kind == "anomaly" else None
        served[kind] = ServedModel(
            kind,
            name,
            version,
            tracking.load_version(name, version),
            signature_columns(name, version),
            np.sort(baseline) if baseline is not None else np.array([]),
        )
    return served


def to_frame(served: ServedModel, rows: list[dict]) -> pd.DataFrame:
    """Validated request rows as the model's input frame: columns in signature order, flags as numbers."""
    columns = {
        column: np.array([row[column] for row in rows], dtype=object if kind is str else float)
        for column, kind in served.columns.items()
    }
    return pd.DataFrame({**columns, "client_id": [row.get("client_id") for row in rows]})


def score_default(served: ServedModel, rows: list[dict]) -> list[dict]:
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


def score_churn(served: ServedModel, rows: list[dict]) -> list[dict]:
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


def score_anomaly(served: ServedModel, rows: list[dict]) -> list[dict]:
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


def score(served: ServedModel, rows: list[dict]) -> list[dict]:
    """Score validated rows with the served model.

    The request schema has already refused non-finite numbers and bad types, so scikit-learn's own input and
    parameter checks are skipped: they cost more than the model on a small batch.
    """
    with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
        return SCORERS[served.kind](served, rows)
