"""Customer-insight endpoints: next-best products, manager and branch performance, and an analytics summary."""

import os

import duckdb
import fastapi
import pydantic
from fastapi.responses import JSONResponse

from riskhub_assets.api import insights, scorers
from riskhub_assets.api.bodies import UNPROCESSABLE, Refusal, Schemas, validated
from riskhub_assets.api.inputs import Inputs
from riskhub_assets.api.state import Served
from riskhub_assets.lib.performance import LEVELS

UNKNOWN_CLIENT = {404: {"model": Refusal, "description": "The client is not in the published BI database"}}
NOT_PUBLISHED = {503: {"model": Refusal, "description": "No champion model, or nothing published yet"}}


def performance_path(level: str) -> str:
    """The endpoint predicting a manager's or branch's monthly score."""
    return f"/predict/{level}-performance"


def router(served: Served, schemas: Schemas) -> fastapi.APIRouter:
    """The insight endpoints on the scoring API."""
    routes, bi_path, recommender = fastapi.APIRouter(), served.bi_path, served.recommender

    def _published() -> None:
        if not os.path.exists(bi_path):
            raise fastapi.HTTPException(503, f"no published BI database at {bi_path}: run the daily job first")

    @routes.get(
        "/recommend/products/{client_id}",
        summary="Next-best products for a client",
        responses=UNPROCESSABLE | UNKNOWN_CLIENT | NOT_PUBLISHED,
    )
    def recommend_products(client_id: str, n: int = fastapi.Query(5, ge=1, le=10)) -> JSONResponse:
        if recommender is None:
            raise fastapi.HTTPException(503, served.unavailable(insights.RECOMMENDER))
        _published()
        return JSONResponse(
            {
                "client_id": client_id,
                "recommendations": recommender.recommend(client_id, n),
                "model_name": insights.RECOMMENDER,
                "model_version": recommender.version,
            }
        )

    for level in LEVELS:
        path, summary = performance_path(level), f"Predicted monthly performance score (0-100) of a {level}"
        endpoint, documented = performance_endpoint(served, level, schemas)
        routes.post(path, summary=summary, openapi_extra=documented, responses=UNPROCESSABLE | NOT_PUBLISHED)(endpoint)

    @routes.get(
        "/analytics/summary",
        summary="The latest published day: offers, churn actions, managers and branches",
        responses=NOT_PUBLISHED,
    )
    def analytics_summary() -> JSONResponse:
        _published()
        try:
            return JSONResponse(insights.summary(bi_path))
        except duckdb.CatalogException as error:
            raise fastapi.HTTPException(503, f"customer insights not published yet: {error}") from error

    return routes


def performance_endpoint(served: Served, level: str, schemas: Schemas):
    """The endpoint predicting a manager's or branch's monthly score, and its OpenAPI request body: the model's
    signature, validated from the bytes as the scoring endpoints do (422 for anything that is not such JSON)."""
    model = served.performance.get(level)
    adapter = pydantic.TypeAdapter(model.request if model else dict)

    async def predict(request: fastapi.Request) -> JSONResponse:
        if model is None:
            raise fastapi.HTTPException(503, served.unavailable(insights.PERFORMANCE[level]))
        body = validated(adapter, await request.body())
        frame = scorers.to_frame(model, Inputs.of_rows([body.model_dump()]))[list(model.columns)]
        return JSONResponse(
            {
                "predicted_score": round(float(model.model.predict(frame)[0]), 2),
                "model_name": model.name,
                "model_version": model.version,
            }
        )

    return predict, schemas.documented(adapter)
