"""What every request passes through: JSON logs, Prometheus metrics, crash answers and the single-score lane."""

import json
import logging
import time
from collections.abc import Awaitable, Callable

import prometheus_client as prom
from fastapi.responses import JSONResponse, Response

from riskhub_assets.api import serving

log = logging.getLogger("riskhub.api")


class JsonFormatter(logging.Formatter):
    """One JSON object per log line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": self.formatTime(record), "level": record.levelname, "logger": record.name, "msg": record.msg}
        entry.update(getattr(record, "fields", {}))
        return json.dumps(entry, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    """The API's log lines as JSON on stderr, and only there."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


class Metrics:
    """The Prometheus metrics one API process exposes: requests, latency, rows scored, model versions."""

    def __init__(self, models: dict[str, serving.ServedModel]):
        self.registry = prom.CollectorRegistry()
        self.requests = prom.Counter(
            "riskhub_requests", "Requests by endpoint and status", ["endpoint", "status"], registry=self.registry
        )
        self.latency = prom.Histogram(
            "riskhub_request_seconds",
            "Request latency by endpoint",
            ["endpoint"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )
        registry = self.registry
        self.rows_scored = prom.Counter("riskhub_rows_scored", "Rows scored by model", ["model"], registry=registry)
        loaded = prom.Gauge("riskhub_model_loaded", "Served model version", ["model", "version"], registry=registry)
        for m in models.values():
            loaded.labels(m.name, m.version).set(1)

    def observed(self, scope: dict, status: int, elapsed: float) -> None:
        """Count and time an answered request; log it when it failed (or always, at DEBUG level)."""
        endpoint = _endpoint(scope)
        self.requests.labels(endpoint, str(status)).inc()
        self.latency.labels(endpoint).observe(elapsed)
        if status >= 400 or log.isEnabledFor(logging.DEBUG):
            fields = {"method": scope["method"], "path": endpoint, "status": status, "ms": round(elapsed * 1000, 2)}
            log.info("request", extra={"fields": fields})

    def exposition(self) -> Response:
        """The metrics in Prometheus's text format."""
        return Response(prom.generate_latest(self.registry), media_type=prom.CONTENT_TYPE_LATEST)


def _endpoint(scope: dict) -> str:
    """The route a request was for, also when it was answered before routing (401, 413, 415): a path of the API's
    OpenAPI document (none has a path parameter), else "unmatched"."""
    if scope.get("route"):
        return scope["route"].path
    known = scope["app"].openapi()["paths"] if "app" in scope else {}
    return scope["path"] if scope["path"] in known else "unmatched"


class Observe:
    """ASGI middleware: every answer, a crash included (as a JSON 500), goes to `observed(scope, status, seconds)`."""

    def __init__(self, app, observed: Callable[[dict, int, float], None]):
        self.app, self.observed = app, observed

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, status = time.perf_counter(), [500]

        async def remember(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, remember)
        except Exception as error:
            log.exception("scoring failed", extra={"fields": {"path": scope["path"], "error": repr(error)}})
            status[0] = 500
            body = JSONResponse(status_code=500, content={"detail": "internal error while scoring; see the logs"})
            await body(scope, receive, send)
        finally:
            self.observed(scope, status[0], time.perf_counter() - started)


class SingleScores:
    """ASGI middleware: a POST to a single-score endpoint is answered here, before FastAPI's routing, middleware
    and dependency machinery, which took most of a single request's server time; any other request goes on to
    FastAPI. `lanes` maps a path to its FastAPI route (named in the metrics, documented in OpenAPI, answering
    other methods) and to the function answering a body with a status and JSON bytes, which the route also uses.
    """

    def __init__(self, app, lanes: dict[str, tuple[object, Callable[[bytes], Awaitable[tuple[int, bytes]]]]]):
        self.app, self.lanes = app, lanes

    async def __call__(self, scope, receive, send):
        lane = self.lanes.get(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        if lane is None:
            return await self.app(scope, receive, send)
        scope["route"], answer = lane  # the route, as FastAPI's router would set it
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        status, content = await answer(b"".join(chunks))
        headers = [(b"content-length", str(len(content)).encode()), (b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})
