"""The served champions' arithmetic compiled to numpy: validated request rows to answers without pandas.

A pandas/scikit-learn pipeline call costs milliseconds whatever its row count (frame building, per-column
dtype handling, input checks), which capped the API at a few hundred single requests a second. At load,
`compile_model` reads a fitted model's parameters once (scorecard bins, WoE and points; imputation values and
one-hot layouts; label shares and medians; isolation trees as stacked arrays) into numpy lookups. Scoring then
turns request rows straight into the float matrix the model's own estimator (logistic regression, XGBoost,
forest) takes, or walks the isolation trees itself. The numbers are the pandas path's: serving compares both
on probe rows when it loads a model and serves the pandas path for any model that is not compiled or differs.
"""

from riskhub_assets.api.compiled.anomaly import CompiledAnomaly, CompiledForest
from riskhub_assets.api.compiled.churn import CompiledChurn
from riskhub_assets.api.compiled.common import UNSEEN, NotCompilable
from riskhub_assets.api.compiled.explained import CompiledExplained
from riskhub_assets.api.compiled.scorecard import CompiledScorecard
from riskhub_assets.ml.explain import ExplainedClassifier

__all__ = [
    "UNSEEN",
    "CompiledAnomaly",
    "CompiledChurn",
    "CompiledExplained",
    "CompiledForest",
    "CompiledScorecard",
    "NotCompilable",
    "compile_model",
    "probe_rows",
]


def compile_model(kind: str, model, columns: dict[str, type]):
    """The compiled form of a served model; NotCompilable when it has none."""
    from riskhub_assets.ml import AnomalyModel, ChurnModel, Scorecard

    if kind == "default" and isinstance(model, Scorecard):
        return CompiledScorecard(model, columns)
    if kind == "default" and isinstance(model, ExplainedClassifier):
        return CompiledExplained(model, columns)
    if kind == "churn" and isinstance(model, ChurnModel):
        return CompiledChurn(model, columns)
    if kind == "anomaly" and isinstance(model, AnomalyModel):
        return CompiledAnomaly(model, columns)
    raise NotCompilable(f"no compiled form of a {type(model).__name__} {kind} model")


def probe_rows(compiled, columns: dict[str, type], n: int = 97) -> list[dict]:
    """Varied request rows for comparing a compiled model with its pandas path: every probe value of every
    column (bin edges and either side, known, missing and unseen labels, extremes), mixed across rows."""
    values = compiled.probes()
    rows = []
    for i in range(max(n, *(len(v) for v in values.values()))):
        row = {}
        for j, (column, kind) in enumerate(columns.items()):
            options = values.get(column) or ([None, "a"] if kind is str else [None, 0.0, 1.0])
            value = options[(i + 7 * j * (i // len(options))) % len(options)]
            row[column] = (value > 0) if kind is bool and value is not None else value
        rows.append(row)
    return rows
