"""Customer insights: next-best-product recommendations, manager and branch performance, churn actions."""

from functools import partial

import dagster as dg
from dagster_duckdb import DuckDBResource

from riskhub_assets.defs.observability import gate_result
from riskhub_assets.defs.resources import DUCKDB_POOL
from riskhub_assets.defs.tables import sql_table_asset
from riskhub_assets.lib import churn_actions, insight_tables, performance, recommendations, tracking
from riskhub_assets.lib.contract import PRODUCTS
from riskhub_assets.lib.insight_training import (
    PERFORMANCE_GATE,
    RECOMMENDER_GATE,
    performance_history,
    train_performance_model,
    train_recommender,
)
from riskhub_assets.lib.model_outcome import NotEnoughHistory
from riskhub_assets.lib.quality import TableChecks

OWNERS = ["team:customer-insights"]
HOLDINGS = dg.AssetKey(["warehouse", "fact_product_holdings"])
OBJECTIVES = dg.AssetKey(["warehouse", "fact_manager_objectives"])
FEATURES = dg.AssetKey(["features", "client_features"])
CHURN_SCORES = dg.AssetKey(["scores", "churn_scores"])


class RecommenderConfig(dg.Config):
    horizon_days: int = recommendations.HORIZON_DAYS
    """Adoptions within this many days count as hits; the evaluation and selection windows are this long."""


@dg.asset(
    key=dg.AssetKey(["models", "product_recommender"]),
    deps=[HOLDINGS, dg.AssetKey(["warehouse", "dim_client"])],
    description="Next-best-product model: truncated SVD and item-based nearest neighbours on the client-by-product"
    " matrix, calibrated on the take-ups that followed; settings chosen on one window, then evaluated on the take-ups"
    " of the last window (held out in time) beside the most-held and most-taken-up products; champion when it"
    " beats the most-held baseline.",
    group_name="models",
    kinds={"mlflow", "scikitlearn"},
    owners=OWNERS,
    pool=DUCKDB_POOL,
    check_specs=[dg.AssetCheckSpec(RECOMMENDER_GATE, asset=["models", "product_recommender"])],
)
def product_recommender(context: dg.AssetExecutionContext, config: RecommenderConfig, duckdb: DuckDBResource):
    with duckdb.get_connection() as con:
        outcome = train_recommender(con, config.horizon_days, context.run.run_id)
    yield dg.MaterializeResult(metadata=outcome.metadata)
    for verdict in outcome.gates:
        yield gate_result(verdict)


def performance_model_asset(level: str) -> dg.AssetsDefinition:
    """Factory: a manager or branch performance regressor, cross-validated, tracked, champion if it beats last month."""
    key = dg.AssetKey(["models", f"{level}_performance_model"])

    @dg.asset(
        key=key,
        deps=[OBJECTIVES, HOLDINGS, dg.AssetKey(["warehouse", "dim_client"])],
        description=f"XGBoost regression of each {level}'s monthly performance score (0-100: take-ups against"
        " objective) from what is known at month start; RMSE, MAE and R² by 5-fold cross-validation beside"
        " last month's score as the forecast; champion when it beats that.",
        group_name="models",
        kinds={"mlflow", "xgboost"},
        owners=OWNERS,
        pool=DUCKDB_POOL,
        check_specs=[dg.AssetCheckSpec(PERFORMANCE_GATE, asset=key, blocking=False)],
    )
    def _model(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
        with duckdb.get_connection() as con:
            rows, last = performance_history(con, level)
        try:
            outcome = train_performance_model(rows, level, last, context.run.run_id)
        except NotEnoughHistory as error:
            raise dg.Failure(str(error)) from error
        importances = dg.MetadataValue.json(outcome.metadata["feature_importances"])
        yield dg.MaterializeResult(metadata={**outcome.metadata, "feature_importances": importances})
        for verdict in outcome.gates:
            yield gate_result(verdict)

    return _model


def _load_recommendations(con, start, end) -> None:
    """The recommendations of the days start..end; no champion recommender yet is a failure that says what to run."""
    try:
        insight_tables.load_recommendations(con, start, end, RECOMMENDATION_CHECKS.table)
    except tracking.NoChampion as error:
        raise dg.Failure(str(error)) from error


CHURN_ACTION_COLUMNS = {
    "as_of_date": "DATE",
    "client_id": "VARCHAR",
    "manager_id": "VARCHAR",
    "churn_probability": "DOUBLE",
    "action": "VARCHAR",
    "action_description": "VARCHAR",
    "main_driver": "VARCHAR",
    "expected_risk_reduction": "DOUBLE",
    "offer_product": "VARCHAR",
    "model_version": "VARCHAR",
}
"""The churn-action table's columns and types (declared: a day without high risk must not decide them)."""
RECOMMENDATION_CHECKS = TableChecks(
    "scores.product_recommendations",
    key=("as_of_date", "client_id", "rank"),
    not_null=("product_code", "score", "reason", "model_version"),
    accepted={"product_code": tuple(PRODUCTS)},
    references={"client_id": "warehouse.dim_client.client_id"},
    ranges={"rank": ("1", str(recommendations.TOP_N))},
    partition_column="as_of_date",
    volume=False,
    freshness=False,
)
PERFORMANCE_CHECKS = {
    level: TableChecks(
        f"scores.{level}_performance",
        key=("as_of_date", column),
        not_null=("predicted_score", "monthly_sales_objective", "model_version"),
        references={column: f"warehouse.dim_{level}.{column}"},
        ranges={"predicted_score": ("0", "100"), "score_last_month": ("0", "100")},
        partition_column="as_of_date",
        volume=False,
        freshness=False,
    )
    for level, column in performance.LEVELS.items()
}
CHURN_ACTION_CHECKS = TableChecks(
    "scores.churn_actions",
    key=("as_of_date", "client_id"),
    not_null=("churn_probability", "action", "action_description", "model_version"),
    accepted={"action": tuple(churn_actions.ACTIONS)},
    references={"client_id": "warehouse.dim_client.client_id", "manager_id": "warehouse.dim_manager.manager_id"},
    ranges={"expected_risk_reduction": ("0", "1")},
    partition_column="as_of_date",
    volume=False,
    freshness=False,
)

insight_assets = [
    product_recommender,
    *(performance_model_asset(level) for level in performance.LEVELS),
    sql_table_asset(
        RECOMMENDATION_CHECKS,
        _load_recommendations,
        deps=[HOLDINGS, dg.AssetKey(["models", "product_recommender"]), dg.AssetKey(["warehouse", "dim_product"])],
        description="Per client and day: the five products they do not hold that clients like them hold, with score,"
        " rank and reason; clients who hold nothing get the most popular products.",
        group="scoring",
        owners=OWNERS,
    ),
    *(
        sql_table_asset(
            PERFORMANCE_CHECKS[level],
            partial(insight_tables.load_performance_predictions, level=level, table=PERFORMANCE_CHECKS[level].table),
            deps=[OBJECTIVES, HOLDINGS, dg.AssetKey(["models", f"{level}_performance_model"])],
            description=f"Per {level} and day: the predicted performance score (0-100) of the current month, beside"
            " its objective and last month's score; last month's score is the forecast (model_version"
            f" '{performance.NAIVE}') while no model has beaten it.",
            group="scoring",
            owners=OWNERS,
        )
        for level in performance.LEVELS
    ),
    sql_table_asset(
        CHURN_ACTION_CHECKS,
        partial(insight_tables.load_churn_actions, table=CHURN_ACTION_CHECKS.table, columns=CHURN_ACTION_COLUMNS),
        deps=[CHURN_SCORES, dg.AssetKey(["scores", "product_recommendations"]), FEATURES],
        description="Per high-churn-risk client and day: the intervention that answers their main risk driver (fee"
        " waiver, complaint follow-up, product offer, manager call), the product to offer and the manager to act.",
        group="scoring",
        owners=OWNERS,
    ),
]
