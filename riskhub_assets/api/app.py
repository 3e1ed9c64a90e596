"""The scoring API: the registry's champion models behind strict request schemas, with metrics and JSON logs.

uvicorn riskhub_assets.api.app:create_app --factory --port 8000
"""

import fastapi
from fastapi_offline import FastAPIOffline

from riskhub_assets.api import access, bodies, insights, limits, serving
from riskhub_assets.api.batcher import MicroBatcher
from riskhub_assets.api.middleware import Observe, SingleScores, configure_logging
from riskhub_assets.api.routes import batch, scores, status
from riskhub_assets.api.routes import insights as insight_routes
from riskhub_assets.api.state import Served
from riskhub_assets.lib.performance import LEVELS

__all__ = ["BATCH_LIMIT", "MicroBatcher", "SingleScores", "create_app"]

BATCH_LIMIT = 10_000
"""Most rows one /predict/batch request may carry; split larger files into several requests."""

BODY_RULES = {
    **dict.fromkeys(scores.ENDPOINTS, limits.ONE_ROW),
    "/predict/batch": limits.BATCH,
    **{insight_routes.performance_path(level): limits.ONE_ROW for level in LEVELS},
}
"""The most bytes and the content types of each endpoint's request body (the README's API table says them)."""

SCOPES = {
    **dict.fromkeys([*BODY_RULES, "/model/info"], "scoring"),
    "/recommend/products/{client_id}": "analytics",
    "/analytics/summary": "analytics",
    "/metrics": "admin",
}
"""The scope of API key each endpoint needs (when authentication is on; /health and the docs are open)."""


def create_app(
    models: dict[str, serving.ServedModel] | None = None,
    recommender: insights.Recommender | None = None,
    performance: dict[str, serving.ServedModel] | None = None,
    callers: access.Access | None = None,
) -> fastapi.FastAPI:
    """The API serving `models` (by default the registry's champions, loaded once now, with the insight models) to
    `callers` (by default the keys of the environment: RISKHUB_API_KEYS, RISKHUB_API_AUTH)."""
    configure_logging()
    callers = callers or access.Access.from_environment()
    served = Served.load(models, recommender, performance)
    app = FastAPIOffline(  # Swagger UI and ReDoc from files shipped with the package: /docs works without internet
        static_url=access.DOCS_STATIC,
        swagger_ui_parameters={"validatorUrl": None},  # no call to swagger.io's online validator
        title="RiskHub scoring API",
        description="Probability of default, churn risk and transaction anomaly scores from the MLflow registry's"
        " champion models. Every response names the model and version that produced it.",
        version="1.0.0",
        lifespan=served.lifespan,
    )
    schemas = bodies.Schemas()
    single_scores, lanes = scores.router(served, schemas)
    app.add_middleware(SingleScores, lanes=lanes)
    app.add_middleware(limits.BodyLimits, rules=BODY_RULES)  # before any body is read, the single scores' too
    app.add_middleware(access.Authenticate, access=callers, scopes=SCOPES)  # before any body is read or limited
    app.add_middleware(Observe, observed=served.metrics.observed)  # outermost: sees the single scores too
    app.add_exception_handler(fastapi.exceptions.RequestValidationError, bodies.unprocessable)
    app.include_router(status.router(served))
    app.include_router(access.router(callers))
    app.include_router(single_scores)
    app.include_router(batch.router(served, schemas, BATCH_LIMIT))
    app.include_router(insight_routes.router(served, schemas))
    schemas.add_to(app)
    bodies.amend_openapi(app, lambda spec: limits.document(spec, BODY_RULES))
    bodies.amend_openapi(app, lambda spec: access.document(spec, callers, SCOPES))
    return app
