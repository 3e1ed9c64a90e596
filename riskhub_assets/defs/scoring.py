"""Daily score tables from the champion models, with drift checks against what each model was trained on."""

from functools import partial

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from riskhub_assets.lib import features, scoring
from riskhub_assets.lib.frames import replace_partition
from riskhub_assets.lib.model_specs import ANOMALY_NAME, CHURN, DEFAULT
from riskhub_assets.lib.quality import table_check_names
from riskhub_assets.orchestration.observability import check_result, check_specs
from riskhub_assets.orchestration.policy import business_days
from riskhub_assets.orchestration.resources import ModelStore
from riskhub_assets.orchestration.table_assets import asset_key, refuse_unpublished, table_spec_args, write_and_check
from riskhub_assets.tables import table

DRIFT_CHECKS = ["score_drift_psi", "feature_drift_psi"]


class ScoringConfig(dg.Config):
    alert_budget: int = 200
    """anomaly_flags: transactions flagged per day, what the fraud team can review."""


def champion(name: str):
    """The champion model and its version; none yet, or one whose files changed since training (refused unloaded), is
    a failure that says what to do."""
    from riskhub_assets.lib import tracking  # MLflow: imported when a step runs, not with the Dagster definitions

    try:
        return tracking.champion_model(name)
    except (tracking.NoChampion, tracking.RefusedModel) as error:
        raise dg.Failure(str(error)) from error


def _missing_note(missing: dict[str, str]) -> str:
    """The inputs entirely missing on one side, in words (empty when none is)."""
    if not missing:
        return ""
    return "; entirely missing, so not compared: " + ", ".join(f"{c} ({side})" for c, side in missing.items())


def _drift_results(key: dg.AssetKey, baseline: dict, inputs: pd.DataFrame, score: pd.Series):
    """Score and feature drift against training: PSI under 0.10 passes, up to 0.25 warns, beyond fails; an input
    entirely missing on one side is named and warns."""
    scores = scoring.drift({"score": baseline.pop("score")}, pd.DataFrame({"score": score}))
    features = scoring.drift(baseline, inputs)
    worst = max(features.psi, key=features.psi.get) if features.psi else None
    for name, value, what, missing in (
        ("score_drift_psi", scores.psi.get("score", 0.0), "score", scores.missing),
        ("feature_drift_psi", features.psi.get(worst, 0.0), f"most shifted feature {worst}", features.missing),
    ):
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name=name,
            passed=value < scoring.DRIFT_WARN and not missing,
            severity=dg.AssetCheckSeverity.ERROR if value >= scoring.DRIFT_FAIL else dg.AssetCheckSeverity.WARN,
            description=f"PSI of the {what} against training: {value:.3f} (warn at {scoring.DRIFT_WARN}, fail at"
            f" {scoring.DRIFT_FAIL}){_missing_note(missing)}",
            metadata={
                "psi": float(value),
                "entirely_missing": missing,
                **(
                    {"feature_psi": {k: round(v, 4) for k, v in features.psi.items()}}
                    if name == "feature_drift_psi"
                    else {}
                ),
            },
        )


def score_asset(name: str, model_name: str, score) -> dg.AssetsDefinition:
    """Factory: a daily score table from a champion model, replaced day by day, with data tests and drift checks."""
    declared = table(name)
    key = asset_key(name)

    @dg.asset(
        **table_spec_args(declared),
        kinds={"duckdb", "mlflow"},
        check_specs=check_specs(key, table_check_names(declared))
        + [dg.AssetCheckSpec(c, asset=key, blocking=False) for c in DRIFT_CHECKS],
    )
    def _scores(
        context: dg.AssetExecutionContext, duckdb: DuckDBResource, config: ScoringConfig, model_store: ModelStore
    ):
        from riskhub_assets.lib import tracking  # MLflow: imported when a step runs, not with the Dagster definitions

        start, end = business_days(context)
        model, version = champion(model_name)
        with duckdb.get_connection() as con:
            inputs, frame, score_column = score(con, model, version, start, end, config)
            replace = partial(replace_partition, con, declared.name, frame, declared.partition_column, start, end)
            _, metadata, outcomes = write_and_check(con, declared, start, end, replace)
        if metadata is not None:
            yield dg.MaterializeResult(metadata={**metadata, "model": model_name, "model_version": version})
        for outcome in outcomes:
            yield check_result(outcome)
        yield from _drift_results(key, tracking.load_baseline(model_name, version), inputs, frame[score_column])
        refuse_unpublished(declared, outcomes, start, end)

    return _scores


def _default(con, model, version, start, end, config):
    inputs = scoring.client_features(con, start, end)
    return inputs, scoring.default_scores(model, inputs, DEFAULT.name, version), "probability_of_default"


def _churn(con, model, version, start, end, config):
    inputs = scoring.client_features(con, start, end)
    return inputs, scoring.churn_scores(model, inputs, CHURN.name, version), "churn_probability"


def _anomaly(con, model, version, start, end, config):
    inputs = features.transaction_features(con, start, end)
    return inputs, scoring.anomaly_flags(model, inputs, config.alert_budget, ANOMALY_NAME, version), "anomaly_score"


score_assets = [
    score_asset("scores.default_scores", DEFAULT.name, _default),
    score_asset("scores.churn_scores", CHURN.name, _churn),
    score_asset("scores.anomaly_flags", ANOMALY_NAME, _anomaly),
]
