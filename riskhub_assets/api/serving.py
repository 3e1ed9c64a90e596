"""The champion models as the scoring API serves them: loaded once, compiled when exact, scored in parts on the cores."""

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pydantic
import sklearn

from riskhub_assets.api.compiled import NotCompilable, compile_model, probe_rows
from riskhub_assets.api.inputs import Inputs
from riskhub_assets.api.request_schemas import request_schema, signature_columns
from riskhub_assets.api.scorers import FAST_SCORERS, SCORERS
from riskhub_assets.lib import tracking

MODEL_NAMES = {
    "default": "riskhub_default_model",
    "churn": "riskhub_churn_model",
    "anomaly": "riskhub_anomaly_model",
}
"""The served models by the short name requests use, and their names in the MLflow registry."""

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


def load_champions(refused: dict[str, str] | None = None) -> dict[str, ServedModel]:
    """Every model that has a champion in the registry; a model without one is left out (its endpoint says so), as is
    one whose files are refused (see load_champion)."""
    tracking.use_experiment("riskhub")
    served = {}
    for kind, name in MODEL_NAMES.items():
        champion = load_champion(name, refused)
        if champion is None:
            continue
        model, version = champion
        baseline = tracking.load_baseline(name, version).get("score", np.array([])) if kind == "anomaly" else None
        served[kind] = ServedModel(
            kind,
            name,
            version,
            model,
            signature_columns(name, version),
            np.sort(baseline) if baseline is not None else np.array([]),
        )
    return served


def load_champion(name: str, refused: dict[str, str] | None) -> tuple[object, str] | None:
    """A model's champion and its version; None without one, or when it is refused (its files changed since training,
    or it is unsigned): the API then serves the other models and answers 503 for this one, the reason logged as an
    error and kept in `refused` under the model's name."""
    version = tracking.champion_version(name)
    if version is None:
        return None
    try:
        return tracking.load_version(name, version), version
    except tracking.RefusedModel as error:
        log.error("model refused", extra={"fields": {"model": name, "version": version, "why": str(error)}})
        if refused is not None:
            refused[name] = str(error)
        return None


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
