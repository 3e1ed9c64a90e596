"""Customer insights: next-best-product recommendations, manager and branch performance, churn actions."""

import datetime as dt

import dagster as dg
import mlflow
import pandas as pd
from dagster_duckdb import DuckDBResource

from riskhub_assets.defs.models import EXPERIMENT
from riskhub_assets.defs.resources import DUCKDB_POOL, ModelStore
from riskhub_assets.defs.scoring import CHURN_SCORES_KEY, FEATURES, champion, client_features
from riskhub_assets.defs.tables import sql_table_asset
from riskhub_assets.lib import churn_actions, performance, recommendations, tracking
from riskhub_assets.lib.contract import PRODUCTS
from riskhub_assets.lib.frames import ensure_table, replace_partition
from riskhub_assets.lib.quality import TableChecks
from riskhub_assets.lib.training import KEYS
from riskhub_assets.ml import make_performance_model

OWNERS = ["team:customer-insights"]
RECOMMENDER = "riskhub_product_recommender"
PERFORMANCE_MODELS = {level: f"riskhub_{level}_performance_model" for level in performance.LEVELS}
HOLDINGS = dg.AssetKey(["warehouse", "fact_product_holdings"])
OBJECTIVES = dg.AssetKey(["warehouse", "fact_manager_objectives"])


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
    check_specs=[dg.AssetCheckSpec("beats_popularity_baseline", asset=["models", "product_recommender"])],
)
def product_recommender(
    context: dg.AssetExecutionContext, config: RecommenderConfig, duckdb: DuckDBResource, model_store: ModelStore
):
    horizon = config.horizon_days
    with duckdb.get_connection() as con:
        last = con.execute("SELECT max(adoption_date) FROM warehouse.fact_product_holdings").fetchone()[0]
        evaluated, selected = last - dt.timedelta(days=horizon), last - dt.timedelta(days=2 * horizon)
        best, selection = recommendations.choose(con, selected, horizon)
        families = {
            family: max(
                (p for p in recommendations.CANDIDATES if p["method"] == family),
                key=lambda p: selection[recommendations.label(p)],
            )
            for family in ("svd", "item_knn")
        } | {"popularity": recommendations.POPULARITY, "trending": recommendations.TRENDING}
        oot = {family: recommendations.evaluate(params, con, evaluated, horizon) for family, params in families.items()}
        model = recommendations.fit_recommender(best, con, last, horizon)
        inputs = recommendations.recommender_inputs(con, last)
    chosen = best["method"]
    top = f"precision_at_{recommendations.TOP_N}"
    ratio = oot[chosen][top] / oot["popularity"][top] if oot["popularity"][top] > 0 else float("inf")
    with tracking.training_run(EXPERIMENT, RECOMMENDER, {"dagster_run_id": context.run.run_id}):
        mlflow.log_params({**best, "selected_on": str(selected), "evaluated_on": str(evaluated), "horizon": horizon})
        mlflow.log_metrics(
            {f"oot_{family}_{k}": v for family, m in oot.items() for k, v in m.items()}
            | {f"selection_precision_{k}": v for k, v in selection.items()}
            | {"oot_precision_ratio_to_popularity": ratio}
        )
        example = inputs.reindex(columns=[*model.products_, *model.context_], fill_value=0).head(50).astype(float)
        scores = pd.DataFrame(model.score(example), columns=list(model.products_)).clip(lower=-1.0)
        version = tracking.log_model(model, RECOMMENDER, example, scores)
        alias = tracking.promote(RECOMMENDER, version, wins=ratio > 1)
    yield dg.MaterializeResult(
        metadata={
            "model": RECOMMENDER,
            "version": version,
            "alias": alias,
            "chosen": recommendations.label(best),
            **{f"oot_{family}_{k}": float(v) for family, m in oot.items() for k, v in m.items()},
        }
    )
    yield dg.AssetCheckResult(
        check_name="beats_popularity_baseline",
        passed=bool(ratio > 1),
        description=f"precision@{recommendations.TOP_N} on adoptions after {evaluated}: {oot[chosen][top]:.3f}"
        f" ({chosen}) against {oot['popularity'][top]:.3f} for popularity, {ratio:.2f}x",
    )


def performance_model_asset(level: str) -> dg.AssetsDefinition:
    """Factory: a manager or branch performance regressor, cross-validated, tracked, champion if it beats last month."""
    name, key = PERFORMANCE_MODELS[level], dg.AssetKey(["models", f"{level}_performance_model"])

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
        check_specs=[dg.AssetCheckSpec("beats_last_month_forecast", asset=key, blocking=False)],
    )
    def _model(context: dg.AssetExecutionContext, duckdb: DuckDBResource, model_store: ModelStore):
        with duckdb.get_connection() as con:
            last = con.execute("SELECT max(last_snapshot_date) FROM warehouse.dim_manager").fetchone()[0]
            rows = performance.training_rows(performance.monthly_frame(con, level, last))
        if len(rows) < 10:
            raise dg.Failure(f"{level} performance needs 10+ completed months with a previous month, got {len(rows)}")
        cv = performance.cross_validate(rows, level)
        X = rows[performance.feature_columns(rows, level)]
        model = make_performance_model().fit(X, rows[performance.TARGET])
        importance = model.feature_importances().round(4)
        wins = cv["cv_rmse"] < cv["naive_last_month_rmse"]
        with tracking.training_run(EXPERIMENT, name, {"dagster_run_id": context.run.run_id}):
            mlflow.log_params({"rows": len(rows), "months": rows["month_start"].nunique(), "last_day": str(last)})
            mlflow.log_metrics(cv)
            mlflow.log_dict(importance.to_dict(), "feature_importances.json")
            version = tracking.log_model(
                model, name, X.head(50), pd.DataFrame({"predicted_score": model.predict(X.head(50))})
            )
            alias = tracking.promote(name, version, wins)
        yield dg.MaterializeResult(
            metadata={
                "model": name,
                "version": version,
                "alias": alias,
                "rows": len(rows),
                **{k: round(v, 4) for k, v in cv.items()},
                "feature_importances": dg.MetadataValue.json(importance.head(10).to_dict()),
            }
        )
        yield dg.AssetCheckResult(
            check_name="beats_last_month_forecast",
            passed=bool(wins),
            description=f"cross-validated RMSE {cv['cv_rmse']:.2f} against {cv['naive_last_month_rmse']:.2f}"
            " for last month's score",
        )

    return _model


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _load_recommendations(con, start, end) -> None:
    model, version = champion(RECOMMENDER)
    frames = [
        recommendations.recommendation_rows(model, recommendations.recommender_inputs(con, day)).assign(as_of_date=day)
        for day in _days(start, end)
    ]
    frame = pd.concat(frames, ignore_index=True).assign(model_name=RECOMMENDER, model_version=version)
    replace_partition(con, RECOMMENDATION_CHECKS.table, frame, "as_of_date", start, end)


def _performance_loader(level: str):
    def _load(con, start, end) -> None:
        version = tracking.champion_version(PERFORMANCE_MODELS[level])
        model = tracking.load_version(PERFORMANCE_MODELS[level], version) if version else None
        frames = [
            performance.predictions(
                model, performance.monthly_frame(con, level, day), level, day.replace(day=1)
            ).assign(as_of_date=day)
            for day in _days(start, end)
        ]
        frame = pd.concat(frames, ignore_index=True).assign(model_version=version or performance.NAIVE)
        replace_partition(con, PERFORMANCE_CHECKS[level].table, frame, "as_of_date", start, end)

    return _load


def _load_churn_actions(con, start, end) -> None:
    scores = con.execute(
        "SELECT as_of_date, client_id, churn_probability, risk_band, model_name, model_version"
        " FROM scores.churn_scores WHERE as_of_date BETWEEN $start AND $end",
        {"start": start, "end": end},
    ).df()
    features = client_features(con, start, end)
    columns = [c for c in features.columns if c not in KEYS]
    inputs = features.merge(scores, on=["as_of_date", "client_id"])
    frames = []
    for (day, version), today in inputs.groupby([inputs["as_of_date"].dt.date, "model_version"]):
        model = tracking.load_version(today["model_name"].iloc[0], version)
        X = today[columns]
        at_risk = (today["risk_band"] == "high").to_numpy()
        if not at_risk.any():
            continue
        reference = churn_actions.reference_client(X, (today["risk_band"] == "low").to_numpy())
        actions = churn_actions.choose_actions(*churn_actions.driver_effects(model, X[at_risk], reference))
        frames.append(
            pd.concat([today.loc[at_risk, ["client_id", "churn_probability"]], actions], axis=1).assign(
                as_of_date=day, model_version=version
            )
        )
    if frames:
        offers = con.execute(
            "SELECT r.as_of_date, r.client_id, r.product_code AS offer_product, c.manager_id"
            " FROM scores.product_recommendations r JOIN warehouse.dim_client c USING (client_id)"
            " WHERE r.rank = 1 AND r.as_of_date BETWEEN $start AND $end",
            {"start": start, "end": end},
        ).df()
        offers["as_of_date"] = offers["as_of_date"].dt.date
        frame = pd.concat(frames, ignore_index=True).merge(offers, on=["as_of_date", "client_id"], how="left")
    else:  # no high churn risk on these days: nothing to write, the typed table below still stands
        frame = pd.DataFrame(columns=list(CHURN_ACTION_COLUMNS))
    ensure_table(con, CHURN_ACTION_CHECKS.table, ", ".join(f"{c} {t}" for c, t in CHURN_ACTION_COLUMNS.items()))
    replace_partition(con, CHURN_ACTION_CHECKS.table, frame[list(CHURN_ACTION_COLUMNS)], "as_of_date", start, end)


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
        resource_keys=frozenset({"model_store"}),
    ),
    *(
        sql_table_asset(
            PERFORMANCE_CHECKS[level],
            _performance_loader(level),
            deps=[OBJECTIVES, HOLDINGS, dg.AssetKey(["models", f"{level}_performance_model"])],
            description=f"Per {level} and day: the predicted performance score (0-100) of the current month, beside"
            " its objective and last month's score; last month's score is the forecast (model_version"
            f" '{performance.NAIVE}') while no model has beaten it.",
            group="scoring",
            owners=OWNERS,
            resource_keys=frozenset({"model_store"}),
        )
        for level in performance.LEVELS
    ),
    sql_table_asset(
        CHURN_ACTION_CHECKS,
        _load_churn_actions,
        deps=[CHURN_SCORES_KEY, dg.AssetKey(["scores", "product_recommendations"]), FEATURES],
        description="Per high-churn-risk client and day: the intervention that answers their main risk driver (fee"
        " waiver, complaint follow-up, product offer, manager call), the product to offer and the manager to act.",
        group="scoring",
        owners=OWNERS,
        resource_keys=frozenset({"model_store"}),
    ),
]
