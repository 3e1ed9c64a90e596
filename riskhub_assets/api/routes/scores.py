"""The single-score endpoints: one client or transaction per request, scored with the requests arriving meanwhile."""

from collections.abc import Awaitable, Callable

import fastapi
import pydantic
from fastapi.responses import Response

from riskhub_assets.api.bodies import UNAVAILABLE, UNPROCESSABLE, Schemas, as_json, problems
from riskhub_assets.api.state import Served

ENDPOINTS = {
    "/score_default": ("default", "Probability of default, score points, grade and reason codes of a client"),
    "/predict_churn": ("churn", "90-day churn probability and risk band of a client"),
    "/detect_anomaly": ("anomaly", "Anomaly score and top contributing features of a transaction"),
}
"""Each single-score path: the model it scores with, and its summary in the docs."""

Answer = Callable[[bytes], Awaitable[tuple[int, bytes]]]
"""A request body to its status and JSON bytes."""


def answering(served: Served, kind: str, adapter: pydantic.TypeAdapter) -> Answer:
    """Validate the body from bytes (pydantic's Rust JSON parser), score it with the requests arriving meanwhile
    (MicroBatcher), and answer: 200, 422 naming each wrong field, or 503 without a champion."""

    async def answer(body: bytes) -> tuple[int, bytes]:
        if kind not in served.models:
            return 503, as_json({"detail": served.unavailable(kind)})
        try:
            row = vars(adapter.validate_json(body))  # the validated fields: plain JSON types
        except pydantic.ValidationError as error:
            return 422, as_json({"detail": problems(error.errors(include_url=False, include_context=False))})
        served.metrics.rows_scored.labels(kind).inc()
        return 200, as_json(await served.batchers[kind].submit(row))

    return answer


def endpoint(answer: Answer) -> Callable[[fastapi.Request], Awaitable[Response]]:
    """The FastAPI endpoint answering as `answer` does, for the requests `SingleScores` lets through."""

    async def endpoint(request: fastapi.Request) -> Response:
        status, content = await answer(await request.body())
        return Response(content, status_code=status, media_type="application/json")

    return endpoint


def router(served: Served, schemas: Schemas) -> tuple[fastapi.APIRouter, dict[str, tuple[object, Answer]]]:
    """The single-score routes, and the lanes by which `SingleScores` answers them before FastAPI."""
    routes, lanes = fastapi.APIRouter(), {}
    for path, (kind, summary) in ENDPOINTS.items():
        adapter = pydantic.TypeAdapter(served.models[kind].request if kind in served.models else dict)
        answer = answering(served, kind, adapter)
        documented = schemas.documented(adapter)
        responses = UNPROCESSABLE | UNAVAILABLE
        routes.post(path, summary=summary, openapi_extra=documented, responses=responses)(endpoint(answer))
        lanes[path] = (routes.routes[-1], answer)
    return routes, lanes
