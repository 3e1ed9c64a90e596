"""Customer insights: next-best-product recommendations, manager and branch performance, churn actions."""

from functools import partial

import dagster as dg
from dagster_duckdb import DuckDBResource

from riskhub_assets.lib import insight_tables, performance, recommendations
from riskhub_assets.lib.model_outcome import NotEnoughHistory
from riskhub_assets.lib.model_specs import PERFORMANCE_GATE, RECOMMENDER_GATE
from riskhub_assets.orchestration.mlflow_tracking import MlflowTracking
from riskhub_assets.orchestration.observability import gate_result
from riskhub_assets.orchestration.policy import writer
from riskhub_assets.orchestration.table_assets import asset_key, sql_table_asset
from riskhub_assets.tables.scores import PERFORMANCE_READS, RECOMMENDER_READS

OWNERS = ["team:customer-insights"]

SCORES_WITH_MODELS = frozenset({"model_store"})
"""Insight tables that score with a registered model: MLflow is pointed at the store before they load."""


class RecommenderConfig(dg.Config):
    horizon_days: int = recommendations.HORIZON_DAYS
    """Adoptions within this many days count as hits; the evaluation and selection windows are this long."""


@dg.asset(
    key=dg.AssetKey(["models", "product_recommender"]),
    deps=[asset_key(name) for name in RECOMMENDER_READS],
    description="Next-best-product model: truncated SVD and item-based nearest neighbours on the client-by-product"
    " matrix, calibrated on the take-ups that followed; settings chosen on one window, then evaluated on the take-ups"
    " of the last window (held out in time) beside the most-held and most-taken-up products; champion when it"
    " beats the most-held baseline.",
    group_name="models",
    kinds={"mlflow", "scikitlearn"},
    owners=OWNERS,
    **writer(partitioned=False),
    check_specs=[dg.AssetCheckSpec(RECOMMENDER_GATE, asset=["models", "product_recommender"])],
)
def product_recommender(
    context: dg.AssetExecutionContext,
    config: RecommenderConfig,
    duckdb: DuckDBResource,
    mlflow: MlflowTracking,
):
    from riskhub_assets.lib.insight_training import (
        train_recommender,  # MLflow: imported when it trains, not with the Dagster definitions
    )

    with duckdb.get_connection() as con:
        outcome = train_recommender(con, config.horizon_days, mlflow.training_tags(context))
    links = mlflow.model_links(outcome.metadata["model"], outcome.version)
    yield dg.MaterializeResult(metadata={**outcome.metadata, **links})
    for verdict in outcome.gates:
        yield gate_result(verdict)


def performance_model_asset(level: str) -> dg.AssetsDefinition:
    """Factory: a manager or branch performance regressor, cross-validated, tracked, champion if it beats last month."""
    key = dg.AssetKey(["models", f"{level}_performance_model"])

    @dg.asset(
        key=key,
        deps=[asset_key(name) for name in PERFORMANCE_READS],
        description=f"XGBoost regression of each {level}'s monthly performance score (0-100: take-ups against"
        " objective) from what is known at month start; RMSE, MAE and R² by 5-fold cross-validation beside"
        " last month's score as the forecast; champion when it beats that.",
        group_name="models",
        kinds={"mlflow", "xgboost"},
        owners=OWNERS,
        **writer(partitioned=False),
        check_specs=[dg.AssetCheckSpec(PERFORMANCE_GATE, asset=key, blocking=False)],
    )
    def _model(context: dg.AssetExecutionContext, duckdb: DuckDBResource, mlflow: MlflowTracking):
        from riskhub_assets.lib.insight_training import performance_history, train_performance_model

        try:
            with duckdb.get_connection() as con:
                rows, last = performance_history(con, level)
            outcome = train_performance_model(rows, level, last, mlflow.training_tags(context))
        except NotEnoughHistory as error:
            raise dg.Failure(str(error)) from error
        importances = dg.MetadataValue.json(outcome.metadata["feature_importances"])
        links = mlflow.model_links(outcome.metadata["model"], outcome.version)
        yield dg.MaterializeResult(metadata={**outcome.metadata, "feature_importances": importances, **links})
        for verdict in outcome.gates:
            yield gate_result(verdict)

    return _model


def _load_recommendations(con, start, end) -> None:
    """The recommendations of the days start..end; no champion recommender yet is a failure that says what to run."""
    from riskhub_assets.lib import tracking  # MLflow: imported when a step runs, not with the Dagster definitions

    try:
        insight_tables.load_recommendations(con, start, end)
    except tracking.NoChampion as error:
        raise dg.Failure(str(error)) from error


insight_assets = [
    product_recommender,
    *(performance_model_asset(level) for level in performance.LEVELS),
    sql_table_asset("scores.product_recommendations", _load_recommendations, SCORES_WITH_MODELS),
    *(
        sql_table_asset(
            f"scores.{level}_performance",
            partial(insight_tables.load_performance_predictions, level=level),
            SCORES_WITH_MODELS,
        )
        for level in performance.LEVELS
    ),
    sql_table_asset("scores.churn_actions", insight_tables.load_churn_actions, SCORES_WITH_MODELS),
]
