"""Training of the insight models: the product recommender and the performance regressors (plain Python, no Dagster)."""

import datetime as dt

import duckdb
import mlflow
import pandas as pd

from riskhub_assets.lib import performance, recommendations, tracking
from riskhub_assets.lib.model_outcome import GateVerdict, NotEnoughHistory, TrainingOutcome
from riskhub_assets.lib.model_specs import (
    EXPERIMENT,
    PERFORMANCE_GATE,
    PERFORMANCE_MIN_ROWS,
    PERFORMANCE_MODELS,
    RECOMMENDER,
    RECOMMENDER_GATE,
)
from riskhub_assets.ml import make_performance_model


def _best_of_each_family(selection: dict[str, float]) -> dict[str, dict]:
    """The best-selected settings of each collaborative-filtering family, beside the two popularity baselines."""
    return {
        family: max(
            (p for p in recommendations.CANDIDATES if p["method"] == family),
            key=lambda p: selection[recommendations.label(p)],
        )
        for family in ("svd", "item_knn")
    } | {"popularity": recommendations.POPULARITY, "trending": recommendations.TRENDING}


def train_recommender(con: duckdb.DuckDBPyConnection, horizon: int, dagster_tags: dict[str, str]) -> TrainingOutcome:
    """Choose the recommender's settings on one window, evaluate every family on the take-ups of the last window (held
    out in time), fit on all holdings, log and register it; champion when it beats the most-held baseline."""
    last = con.execute("SELECT max(adoption_date) FROM warehouse.fact_product_holdings").fetchone()[0]
    evaluated, selected = last - dt.timedelta(days=horizon), last - dt.timedelta(days=2 * horizon)
    best, selection = recommendations.choose(con, selected, horizon)
    families = _best_of_each_family(selection)
    oot = {family: recommendations.evaluate(params, con, evaluated, horizon) for family, params in families.items()}
    model = recommendations.fit_recommender(best, con, last, horizon)
    inputs = recommendations.recommender_inputs(con, last)
    chosen = best["method"]
    top = f"precision_at_{recommendations.TOP_N}"
    ratio = oot[chosen][top] / oot["popularity"][top] if oot["popularity"][top] > 0 else float("inf")
    with tracking.training_run(EXPERIMENT, RECOMMENDER, dagster_tags):
        mlflow.log_params({**best, "selected_on": str(selected), "evaluated_on": str(evaluated), "horizon": horizon})
        mlflow.log_metrics(
            {f"oot_{family}_{k}": v for family, m in oot.items() for k, v in m.items()}
            | {f"selection_precision_{k}": v for k, v in selection.items()}
            | {"oot_precision_ratio_to_popularity": ratio}
        )
        example = inputs.reindex(columns=[*model.products_, *model.context_], fill_value=0).head(50).astype(float)
        scores = pd.DataFrame(model.score(example), columns=list(model.products_)).clip(lower=-1.0)
        version = tracking.log_model(model, RECOMMENDER, example, scores)
        beats = GateVerdict(
            RECOMMENDER_GATE,
            bool(ratio > 1),
            f"precision@{recommendations.TOP_N} on adoptions after {evaluated}: {oot[chosen][top]:.3f}"
            f" ({chosen}) against {oot['popularity'][top]:.3f} for popularity, {ratio:.2f}x",
        )
        alias = tracking.promote(RECOMMENDER, version, wins=beats.passed, reason=beats.description)
    metadata = {
        "model": RECOMMENDER,
        "version": version,
        "alias": alias,
        "chosen": recommendations.label(best),
        **{f"oot_{family}_{k}": float(v) for family, m in oot.items() for k, v in m.items()},
    }
    return TrainingOutcome(version, alias, metadata, (beats,))


def performance_history(con: duckdb.DuckDBPyConnection, level: str) -> tuple[pd.DataFrame, dt.date]:
    """The completed months a manager or branch performance model learns from, and the latest snapshot day.

    Raises NotEnoughHistory when the bank never sent relationship managers."""
    last = con.execute("SELECT max(last_snapshot_date) FROM warehouse.dim_manager").fetchone()[0]
    if last is None:
        raise NotEnoughHistory(performance.NO_MANAGERS)
    return performance.training_rows(performance.monthly_frame(con, level, last)), last


def train_performance_model(
    rows: pd.DataFrame, level: str, last: dt.date, dagster_tags: dict[str, str]
) -> TrainingOutcome:
    """Cross-validate, fit, log and register a manager or branch performance regressor; champion when its
    cross-validated RMSE beats last month's score as the forecast."""
    if len(rows) < PERFORMANCE_MIN_ROWS:
        raise NotEnoughHistory(
            f"{level} performance needs {PERFORMANCE_MIN_ROWS}+ completed months with a previous month, got {len(rows)}"
        )
    name = PERFORMANCE_MODELS[level]
    cv = performance.cross_validate(rows, level)
    X = rows[performance.feature_columns(rows, level)]
    model = make_performance_model().fit(X, rows[performance.TARGET])
    importance = model.feature_importances().round(4)
    wins = cv["cv_rmse"] < cv["naive_last_month_rmse"]
    with tracking.training_run(EXPERIMENT, name, dagster_tags):
        mlflow.log_params({"rows": len(rows), "months": rows["month_start"].nunique(), "last_day": str(last)})
        mlflow.log_metrics(cv)
        mlflow.log_dict(importance.to_dict(), "feature_importances.json")
        version = tracking.log_model(
            model, name, X.head(50), pd.DataFrame({"predicted_score": model.predict(X.head(50))})
        )
        alias = tracking.promote(
            name,
            version,
            wins,
            f"cross-validated RMSE {cv['cv_rmse']:.3f} against {cv['naive_last_month_rmse']:.3f} for last month's score",
        )
    metadata = {
        "model": name,
        "version": version,
        "alias": alias,
        "rows": len(rows),
        **{k: round(v, 4) for k, v in cv.items()},
        "feature_importances": importance.head(10).to_dict(),
    }
    beats = GateVerdict(
        PERFORMANCE_GATE,
        bool(wins),
        f"cross-validated RMSE {cv['cv_rmse']:.2f} against {cv['naive_last_month_rmse']:.2f} for last month's score",
    )
    return TrainingOutcome(version, alias, metadata, (beats,))
