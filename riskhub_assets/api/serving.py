"""The champion models as the scoring API serves them: loaded once, with request schemas from their signatures."""

import datetime as dt
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pydantic
import sklearn

from riskhub_assets.api.compiled import NotCompilable, compile_model, probe_rows
from riskhub_assets.api.inputs import Inputs
from riskhub_assets.lib import scoring, tracking
from riskhub_assets.lib.training import KEYS
from riskhub_assets.ml import metrics

MODEL_NAMES = {
    "default": "riskhub_default_model",
    "churn": "riskhub_churn_model",
    "anomaly": "riskhub_anomaly_model",
}
"""The served models by the short name requests use, and their names in the MLflow registry."""

CLIENT_MODELS = ("default", "churn")
"""The models that score clients: a request may name the client (`client_id`), and the answer repeats it."""

_TYPES = {"string": str, "boolean": bool}

log = logging.getLogger("riskhub.api")


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
    compiled: object | None = field(init=False, repr=False)  # the numpy form of the model, None: pandas path

    def __post_init__(self) -> None:
        self.request = request_schema(self.kind, self.columns)
        self.compiled = compile_checked(self) if self.kind in SCORERS else None  # the scoring models only

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
    if kind in CLIENT_MODELS:
        fields["client_id"] = (str | None, None)
    config = pydantic.ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)
    return pydantic.create_model(f"{kind.title()}Request", __config__=config, **fields)


def columns_schema(kind: str, columns: dict[str, type], limit: int) -> type[pydantic.BaseModel]:
    """A strict columnar batch: every input named once with an array of up to `limit` values (null for unknown),
    all arrays of one length, no other field, numbers finite."""
    fields = {name: (list[kind_ | None], pydantic.Field(..., max_length=limit)) for name, kind_ in columns.items()}
    if kind in CLIENT_MODELS:
        fields["client_id"] = (list[str | None] | None, pydantic.Field(None, max_length=limit))
    config = pydantic.ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)
    checks = {"one_length": pydantic.model_validator(mode="after")(_one_length)}
    return pydantic.create_model(f"{kind.title()}Columns", __config__=config, __validators__=checks, **fields)


def _one_length(columns: pydantic.BaseModel) -> pydantic.BaseModel:
    """Refuse columns of different lengths, naming those that differ from the most common length."""
    lengths = {name: len(values) for name, values in vars(columns).items() if values is not None}
    common = max(set(lengths.values()), key=list(lengths.values()).count)
    odd = [f"{name} has {n}" for name, n in lengths.items() if n != common]
    if odd:
        raise ValueError(f"every column needs one value per row: most have {common} values, {', '.join(odd)}")
    return columns


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


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return (a is None) == (b is None) and (a is None or abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b)))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def compile_checked(served: ServedModel) -> object | None:
    """The model's compiled form if it answers the probe rows exactly as the pandas path does, else None."""
    try:
        fast = compile_model(served.kind, served.model, served.columns)
        served.compiled = fast
        rows = Inputs.of_rows(probe_rows(fast, served.columns))
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            expected, answered = SCORERS[served.kind](served, rows), FAST_SCORERS[served.kind](served, rows)
        if not _same(expected, answered):
            first = next(i for i, (e, a) in enumerate(zip(expected, answered)) if not _same(e, a))
            raise NotCompilable(f"probe row {first}: {answered[first]} instead of {expected[first]}")
        return fast
    except NotCompilable as reason:
        log.warning("pandas path", extra={"fields": {"model": served.name, "why": str(reason)}})
    except Exception as error:  # a model the compiler misreads must still be served, by its own code
        log.exception("pandas path", extra={"fields": {"model": served.name, "why": repr(error)}})
    return None


PARALLEL_ROWS = 2_000
"""Fewest rows whose scoring is shared among the cores; fewer (single requests) stay on their thread, where a
hand-off would cost more than it saves."""

CORES = os.cpu_count() or 1
_POOL = ThreadPoolExecutor(max_workers=CORES, thread_name_prefix="riskhub-scoring")


def row_parts(n: int) -> list[slice]:
    """The row ranges a batch of `n` rows is scored in: one below PARALLEL_ROWS, else one per core."""
    if n < PARALLEL_ROWS:
        return [slice(0, n)]
    size = -(-n // CORES)
    return [slice(i, i + size) for i in range(0, n, size)]


def score(served: ServedModel, rows: Inputs) -> list[dict]:
    """Score validated rows with the served model: by its compiled form when it has one (see riskhub_assets.api.compiled).

    A large batch is scored in row parts on the cores' threads (numpy, scikit-learn's trees and XGBoost release
    the GIL); each row's arithmetic is the same whatever its part. The request schema has already refused
    non-finite numbers and bad types, so scikit-learn's own input and parameter checks are skipped: they cost
    more than the model on a small batch.
    """
    scorer = FAST_SCORERS[served.kind] if served.compiled is not None else SCORERS[served.kind]

    def scored(part: Inputs) -> list[dict]:
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):  # the thread's settings
            return scorer(served, part)

    parts = row_parts(len(rows))
    if len(parts) == 1:
        return scored(rows)
    return [result for results in _POOL.map(scored, [rows.part(p) for p in parts]) for result in results]
