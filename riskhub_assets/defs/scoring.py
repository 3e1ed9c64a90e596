"""Daily score tables from the champion models, with drift checks against what each model was trained on."""

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from riskhub_assets.defs.models import ANOMALY_NAME, CHURN, DEFAULT
from riskhub_assets.defs.observability import check_result, check_specs, table_metadata
from riskhub_assets.defs.partitions import business_days, daily_partitions
from riskhub_assets.defs.resources import DUCKDB_POOL, ModelStore
from riskhub_assets.lib import features, scoring, tracking
from riskhub_assets.lib.frames import replace_partition
from riskhub_assets.lib.quality import TableChecks, run_table_checks, table_check_names
from riskhub_assets.lib.training import as_model_frame
from riskhub_assets.ml.metrics import MASTER_SCALE

GROUP = "scoring"
OWNERS = ["team:risk-modelling"]
DRIFT_CHECKS = ["score_drift_psi", "feature_drift_psi"]

SCORE_CHECKS = {
    "default_scores": TableChecks(
        "scores.default_scores",
        key=("as_of_date", "client_id"),
        not_null=("probability_of_default", "score_points", "grade", "model_version"),
        accepted={"grade": tuple(MASTER_SCALE)},
        references={"client_id": "warehouse.dim_client.client_id"},
        ranges={"probability_of_default": ("0", "1")},
        partition_column="as_of_date",
        volume=False,
        freshness=False,
    ),
    "churn_scores": TableChecks(
        "scores.churn_scores",
        key=("as_of_date", "client_id"),
        not_null=("churn_probability", "risk_band", "decile", "model_version"),
        accepted={"risk_band": tuple(scoring.CHURN_BANDS)},
        references={"client_id": "warehouse.dim_client.client_id"},
        ranges={"churn_probability": ("0", "1"), "decile": ("1", "10")},
        partition_column="as_of_date",
        volume=False,
        freshness=False,
    ),
    "anomaly_flags": TableChecks(
        "scores.anomaly_flags",
        key=("transaction_id",),
        not_null=("anomaly_score", "flagged", "model_version"),
        partition_column="transaction_date",
        volume=False,
        freshness=False,
    ),
}


class ScoringConfig(dg.Config):
    alert_budget: int = 200
    """anomaly_flags: transactions flagged per day, what the fraud team can review."""


def champion(name: str):
    version = tracking.champion_version(name)
    if version is None:
        raise dg.Failure(f"no champion registered for {name}: materialise the weekly training job first")
    return tracking.load_version(name, version), version


def _drift_results(key: dg.AssetKey, baseline: dict, inputs: pd.DataFrame, score: pd.Series):
    """Score and feature drift against training: PSI under 0.10 passes, up to 0.25 warns, beyond fails."""
    score_psi = scoring.drift({"score": baseline.pop("score")}, pd.DataFrame({"score": score}))["score"]
    feature_psi = scoring.drift(baseline, inputs)
    worst = max(feature_psi, key=feature_psi.get) if feature_psi else None
    for name, value, what in (
        ("score_drift_psi", score_psi, "score"),
        ("feature_drift_psi", feature_psi.get(worst, 0.0), f"most shifted feature {worst}"),
    ):
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name=name,
            passed=value < scoring.DRIFT_WARN,
            severity=dg.AssetCheckSeverity.ERROR if value >= scoring.DRIFT_FAIL else dg.AssetCheckSeverity.WARN,
            description=f"PSI of the {what} against training: {value:.3f} (warn at {scoring.DRIFT_WARN}, fail at"
            f" {scoring.DRIFT_FAIL})",
            metadata={
                "psi": float(value),
                **(
                    {"feature_psi": {k: round(v, 4) for k, v in feature_psi.items()}}
                    if name == "feature_drift_psi"
                    else {}
                ),
            },
        )


def score_asset(table: str, model_name: str, deps: list[dg.AssetKey], description: str, score) -> dg.AssetsDefinition:
    """Factory: a daily score table from a champion model, replaced day by day, with data tests and drift checks."""
    checks = SCORE_CHECKS[table]
    key = dg.AssetKey(["scores", table])

    @dg.asset(
        key=key,
        deps=deps,
        description=description,
        group_name=GROUP,
        kinds={"duckdb", "mlflow"},
        owners=OWNERS,
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=DUCKDB_POOL,
        check_specs=check_specs(key, table_check_names(checks))
        + [dg.AssetCheckSpec(c, asset=key, blocking=False) for c in DRIFT_CHECKS],
    )
    def _scores(
        context: dg.AssetExecutionContext, duckdb: DuckDBResource, config: ScoringConfig, model_store: ModelStore
    ):
        start, end = business_days(context)
        model, version = champion(model_name)
        window = {"start": start, "end": end}
        with duckdb.get_connection() as con:
            inputs, frame, score_column = score(con, model, version, start, end, config)
            con.execute("BEGIN")
            replace_partition(con, checks.table, frame, checks.partition_column, start, end)
            con.execute("COMMIT")
            metadata = table_metadata(
                con, checks.table, f"{checks.partition_column} BETWEEN $start AND $end", window, detail=start == end
            )
            outcomes = run_table_checks(con, checks, start, end)
        yield dg.MaterializeResult(metadata={**metadata, "model": model_name, "model_version": version})
        for outcome in outcomes:
            yield check_result(outcome)
        yield from _drift_results(key, tracking.load_baseline(model_name, version), inputs, frame[score_column])

    return _scores


def client_features(con, start, end) -> pd.DataFrame:
    frame = con.execute(
        "SELECT * FROM features.client_features WHERE as_of_date BETWEEN $start AND $end ORDER BY as_of_date, client_id",
        {"start": start, "end": end},
    ).df()
    return as_model_frame(frame)


def _default(con, model, version, start, end, config):
    inputs = client_features(con, start, end)
    return inputs, scoring.default_scores(model, inputs, DEFAULT.name, version), "probability_of_default"


def _churn(con, model, version, start, end, config):
    inputs = client_features(con, start, end)
    return inputs, scoring.churn_scores(model, inputs, CHURN.name, version), "churn_probability"


def _anomaly(con, model, version, start, end, config):
    inputs = features.transaction_features(con, start, end)
    return inputs, scoring.anomaly_flags(model, inputs, config.alert_budget, ANOMALY_NAME, version), "anomaly_score"


FEATURES = dg.AssetKey(["features", "client_features"])
CHURN_SCORES_KEY = dg.AssetKey(["scores", "churn_scores"])
score_assets = [
    score_asset(
        "default_scores",
        DEFAULT.name,
        [FEATURES, dg.AssetKey(["models", "default_model"])],
        "Per client and day: probability of default (90 days), score points, master-scale grade, top three"
        " reason codes, and the champion model's name and version.",
        _default,
    ),
    score_asset(
        "churn_scores",
        CHURN.name,
        [FEATURES, dg.AssetKey(["models", "churn_model"])],
        "Per active client and day: 90-day churn probability, risk band, decile (1 = most at risk), model version.",
        _churn,
    ),
    score_asset(
        "anomaly_flags",
        ANOMALY_NAME,
        [FEATURES, dg.AssetKey(["warehouse", "fact_transactions"]), dg.AssetKey(["models", "anomaly_model"])],
        "Per transaction and day: anomaly score; the day's alert budget of most anomalous transactions"
        " flagged with their top contributing features; model version.",
        _anomaly,
    ),
]
