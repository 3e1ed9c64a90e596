"""Health, model information and metrics endpoints."""

import fastapi
from fastapi.responses import Response

from riskhub_assets.api import serving
from riskhub_assets.api.state import Served

PROMETHEUS_TEXT = {
    "description": "The metrics in Prometheus's text exposition format",
    "content": {"text/plain": {"schema": {"type": "string"}}},
}


def router(served: Served) -> fastapi.APIRouter:
    """/health, /model/info and /metrics."""
    routes = fastapi.APIRouter()

    @routes.get("/health")
    def health() -> dict:
        """Up, and which models are served: degraded when a model has no champion."""
        missing = sorted(set(serving.MODEL_NAMES) - set(served.models))
        return {"status": "degraded" if missing else "ok", "models": sorted(served.models), "missing": missing}

    @routes.get("/model/info")
    def model_info() -> dict:
        """Name, version and inputs of every served model."""
        return {kind: m.info() for kind, m in served.models.items()}

    @routes.get("/metrics", response_class=Response, responses={200: PROMETHEUS_TEXT})
    def metrics() -> Response:
        """Prometheus metrics: requests, latency, rows scored, model versions."""
        return served.metrics.exposition()

    return routes
