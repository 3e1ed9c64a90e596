"""The scoring API: the registry's champion models behind strict request schemas, with metrics and JSON logs.

uvicorn riskhub_assets.api.app:create_app --factory --port 8000
"""

import asyncio
import gc
import json
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Literal, Union

import fastapi
import prometheus_client as prom
import pydantic
import pydantic_core
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from riskhub_assets.api import arrow, insights, serving
from riskhub_assets.api.inputs import Inputs
from riskhub_assets.lib import publish, settings, tracking

BATCH_LIMIT = 10_000
"""Most rows one /predict/batch request may carry; split larger files into several requests."""

ModelName = Literal[tuple(serving.MODEL_NAMES)]
"""A served model's short name, as requests give it."""

log = logging.getLogger("riskhub.api")


class JsonFormatter(logging.Formatter):
    """One JSON object per log line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": self.formatTime(record), "level": record.levelname, "logger": record.name, "msg": record.msg}
        entry.update(getattr(record, "fields", {}))
        return json.dumps(entry, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


class MicroBatcher:
    """Scores concurrent single requests together: one model call for the rows that arrived within a moment.

    A pandas-based model costs milliseconds per call whatever the row count, so batching is what lets one
    process answer a thousand single requests a second. A row that makes the model fail fails alone.
    """

    def __init__(self, score: Callable[[list[dict]], list[dict]], max_rows: int = 256):
        self.score, self.max_rows = score, max_rows
        self.queue: asyncio.Queue | None = None
        self.task: asyncio.Task | None = None

    async def submit(self, row: dict) -> dict:
        if self.task is None or self.task.done() or self.task.get_loop() is not asyncio.get_running_loop():
            self.queue = asyncio.Queue()  # a new event loop (a restart, a test client): a new worker
            self.task = asyncio.create_task(self._run(self.queue))
        future = asyncio.get_running_loop().create_future()
        await self.queue.put((row, future))
        return await future

    async def _run(self, queue: asyncio.Queue) -> None:
        while True:
            batch = [await queue.get()]
            await asyncio.sleep(0)  # let requests already received join the batch
            while not queue.empty() and len(batch) < self.max_rows:
                batch.append(queue.get_nowait())
            batch = [(row, future) for row, future in batch if not future.done()]  # drop cancelled requests
            if batch:
                await self._answer(batch)

    async def _answer(self, batch: list) -> None:
        try:
            results = await asyncio.to_thread(self.score, [row for row, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"scorer returned {len(results)} results for {len(batch)} rows")
        except Exception as error:
            if len(batch) > 1:  # find the row at fault: score each alone
                for item in batch:
                    await self._answer([item])
                return
            results = [error]
        for (_, future), result in zip(batch, results):
            if future.done():
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)


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


def as_json(content) -> bytes:
    """JSON bytes as Starlette's JSONResponse renders them."""
    return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode()


def problems(errors: list[dict]) -> list[dict]:
    """Each validation error as the field it is about (a dotted path, without FastAPI's "body") and what is wrong."""
    return [{"field": ".".join(str(p) for p in e["loc"] if p != "body"), "problem": e["msg"]} for e in errors]


UNPROCESSABLE = {422: {"description": "A field is missing, unknown, of the wrong type or not finite: each is listed"}}


def validated(adapter: pydantic.TypeAdapter, body: bytes):
    """The request body parsed and validated in one pass (pydantic's Rust JSON parser, no Python dicts first);
    a bad body raises FastAPI's RequestValidationError, so it gets the usual 422 naming each wrong field."""
    try:
        return adapter.validate_json(body)
    except pydantic.ValidationError as error:
        raise fastapi.exceptions.RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False, include_context=False)]
        ) from None


def documented(adapter: pydantic.TypeAdapter, definitions: dict) -> dict:
    """The OpenAPI request body of an endpoint that validates its body itself with `adapter` (the schemas it
    refers to go into `definitions`, for the document's components)."""
    schema = adapter.json_schema(ref_template="#/components/schemas/{model}")
    definitions.update(schema.pop("$defs", {}))
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def batch_schema(served: dict[str, serving.ServedModel]):
    """The /predict/batch body: the model's short name, then up to BATCH_LIMIT rows of its request schema, either
    as `rows` (one object per row) or as `columns` (each input named once, with an array of its values)."""
    config = pydantic.ConfigDict(extra="forbid")
    checks = {"rows_or_columns": pydantic.model_validator(mode="after")(_rows_or_columns)}
    variants = [
        pydantic.create_model(
            f"{kind.title()}Batch",
            __config__=config,
            __validators__=checks,
            model=(Literal[kind], ...),
            rows=(list[served[kind].request] if kind in served else list, pydantic.Field(None, max_length=BATCH_LIMIT)),
            columns=(
                serving.columns_schema(kind, served[kind].columns, BATCH_LIMIT) if kind in served else dict,
                pydantic.Field(None),
            ),
        )
        for kind in serving.MODEL_NAMES
    ]
    return Annotated[Union[tuple(variants)], pydantic.Field(discriminator="model")]  # noqa: UP007


def _rows_or_columns(body: pydantic.BaseModel) -> pydantic.BaseModel:
    """Refuse a batch with both `rows` and `columns`, or neither."""
    if (body.rows is None) == (body.columns is None):
        raise ValueError("give the rows either as `rows` (one object per row) or as `columns` (an array per field)")
    return body


def batch_inputs(body: pydantic.BaseModel) -> Inputs:
    """A validated /predict/batch body's rows, column by column."""
    if body.rows is not None:
        return Inputs.of_rows([vars(row) if isinstance(row, pydantic.BaseModel) else row for row in body.rows])
    if not isinstance(body.columns, pydantic.BaseModel):  # a model without champion: answered 503 before scoring
        return Inputs(body.columns, 0)
    columns = {name: values for name, values in vars(body.columns).items() if values is not None}
    return Inputs(columns, len(next(iter(columns.values()))))


def create_app(
    models: dict[str, serving.ServedModel] | None = None,
    recommender: insights.Recommender | None = None,
    performance: dict[str, serving.ServedModel] | None = None,
) -> fastapi.FastAPI:
    """The API serving `models` (by default the registry's champions, loaded once now, with the insight models)."""
    configure_logging()
    bi_path = settings.bi_dir() / publish.BI_DATABASE
    if models is None:
        tracking.use_store(settings.mlflow_tracking_uri())
        recommender, performance = insights.load_recommender(bi_path), insights.load_performance_models()
    served = serving.load_champions() if models is None else models
    registry = prom.CollectorRegistry()
    requests = prom.Counter(
        "riskhub_requests", "Requests by endpoint and status", ["endpoint", "status"], registry=registry
    )
    latency = prom.Histogram(
        "riskhub_request_seconds",
        "Request latency by endpoint",
        ["endpoint"],
        buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        registry=registry,
    )
    rows_scored = prom.Counter("riskhub_rows_scored", "Rows scored by model", ["model"], registry=registry)
    loaded = prom.Gauge("riskhub_model_loaded", "Served model version", ["model", "version"], registry=registry)
    for m in served.values():
        loaded.labels(m.name, m.version).set(1)
    definitions: dict[str, dict] = {}  # request schemas the endpoints' documentation refers to
    batchers = {k: MicroBatcher(lambda rows, m=m: serving.score(m, Inputs.of_rows(rows))) for k, m in served.items()}

    @asynccontextmanager
    async def lifespan(app: fastapi.FastAPI):
        paths = {k: "pandas" if m.compiled is None else "compiled" for k, m in served.items()}
        log.info("serving", extra={"fields": {"models": {k: m.version for k, m in served.items()}, "paths": paths}})
        # The libraries and models loaded so far (some 350,000 objects) live as long as the process: keep them
        # out of the garbage collector's full passes, which a 10,000-row batch triggers and which then cost
        # more than scoring it.
        gc.collect()
        gc.freeze()
        yield

    app = fastapi.FastAPI(
        title="RiskHub scoring API",
        description="Probability of default, churn risk and transaction anomaly scores from the MLflow registry's"
        " champion models. Every response names the model and version that produced it.",
        version="1.0.0",
        lifespan=lifespan,
    )

    def observed(scope: dict, status: int, elapsed: float) -> None:
        endpoint = scope["route"].path if scope.get("route") else "unmatched"
        requests.labels(endpoint, str(status)).inc()
        latency.labels(endpoint).observe(elapsed)
        if status >= 400 or log.isEnabledFor(logging.DEBUG):
            fields = {"method": scope["method"], "path": endpoint, "status": status, "ms": round(elapsed * 1000, 2)}
            log.info("request", extra={"fields": fields})

    lanes: dict[str, tuple] = {}  # the single-score endpoints SingleScores answers, filled in below
    app.add_middleware(SingleScores, lanes=lanes)
    app.add_middleware(Observe, observed=observed)  # outermost: sees the single scores too

    @app.exception_handler(fastapi.exceptions.RequestValidationError)
    async def unprocessable(request: fastapi.Request, error: fastapi.exceptions.RequestValidationError):
        return JSONResponse(status_code=422, content={"detail": problems(error.errors())})

    def _unavailable(kind: str) -> str:
        return f"no champion {serving.MODEL_NAMES.get(kind, kind)} in the registry: run the weekly training"

    def _model(kind: str) -> serving.ServedModel:
        if kind not in served:
            raise fastapi.HTTPException(503, _unavailable(kind))
        return served[kind]

    @app.get("/health")
    def health() -> dict:
        """Up, and which models are served: degraded when a model has no champion."""
        missing = sorted(set(serving.MODEL_NAMES) - set(served))
        return {"status": "degraded" if missing else "ok", "models": sorted(served), "missing": missing}

    @app.get("/model/info")
    def model_info() -> dict:
        """Name, version and inputs of every served model."""
        return {kind: m.info() for kind, m in served.items()}

    def _post(path: str, kind: str, summary: str) -> None:
        adapter = pydantic.TypeAdapter(served[kind].request if kind in served else dict)

        async def answer(body: bytes) -> tuple[int, bytes]:
            """Validate the body from bytes (pydantic's Rust JSON parser), score it with the requests arriving
            meanwhile (MicroBatcher), and answer: 200, 422 naming each wrong field, or 503 without a champion."""
            if kind not in served:
                return 503, as_json({"detail": _unavailable(kind)})
            try:
                row = vars(adapter.validate_json(body))  # the validated fields: plain JSON types
            except pydantic.ValidationError as error:
                return 422, as_json({"detail": problems(error.errors(include_url=False, include_context=False))})
            rows_scored.labels(kind).inc()
            return 200, as_json(await batchers[kind].submit(row))

        async def endpoint(request: fastapi.Request) -> Response:
            status, content = await answer(await request.body())
            return Response(content, status_code=status, media_type="application/json")

        route_count = len(app.router.routes)
        app.post(path, summary=summary, openapi_extra=documented(adapter, definitions), responses=UNPROCESSABLE)(
            endpoint
        )
        (route,) = app.router.routes[route_count:]
        lanes[path] = (route, answer)

    _post("/score_default", "default", "Probability of default, score points, grade and reason codes of a client")
    _post("/predict_churn", "churn", "90-day churn probability and risk band of a client")
    _post("/detect_anomaly", "anomaly", "Anomaly score and top contributing features of a transaction")

    batch = pydantic.TypeAdapter(batch_schema(served))

    def _answer(model: serving.ServedModel, kind: str, inputs: Inputs) -> bytes:
        rows_scored.labels(kind).inc(len(inputs))
        results = serving.score(model, inputs) if len(inputs) else []
        answer = {"model_name": model.name, "model_version": model.version, "rows": len(results), "results": results}
        return pydantic_core.to_json(answer)  # the same JSON values as `as_json`, written by pydantic in Rust

    def _batch(kind: str | None, body: bytes) -> bytes:
        request = validated(batch, body)
        if kind not in (None, request.model):
            mismatch = f"the body is for the {request.model} model, not {kind}"
            raise fastapi.exceptions.RequestValidationError([{"loc": ("query", "model"), "msg": mismatch}])
        return _answer(_model(request.model), request.model, batch_inputs(request))

    def _arrow_batch(kind: str | None, body: bytes) -> bytes:
        if kind is None:
            unnamed = f"name the model of an Arrow body: ?model={' or '.join(serving.MODEL_NAMES)}"
            raise fastapi.exceptions.RequestValidationError([{"loc": ("query", "model"), "msg": unnamed}])
        model = _model(kind)
        optional = ("client_id",) if kind in serving.CLIENT_MODELS else ()
        try:
            inputs = arrow.arrow_inputs(body, model.columns, BATCH_LIMIT, optional)
        except arrow.Refused as refused:
            raise fastapi.exceptions.RequestValidationError(
                [{"loc": ("body", kind, "columns", *loc), "msg": msg} for loc, msg in refused.problems]
            ) from None
        return _answer(model, kind, inputs)

    request_body = documented(batch, definitions)
    request_body["requestBody"]["content"][arrow.MEDIA_TYPE] = {"schema": {"type": "string", "format": "binary"}}

    @app.post(
        "/predict/batch",
        summary=f"Score up to {BATCH_LIMIT:,} rows with one model",
        description="A JSON body (`rows` or `columns`), or an Arrow IPC stream of the inputs' columns"
        f" (Content-Type `{arrow.MEDIA_TYPE}`, the model named by `?model=`).",
        openapi_extra=request_body,
        responses=UNPROCESSABLE,
    )
    async def predict_batch(request: fastapi.Request, model: ModelName | None = None):
        body, content_type = await request.body(), request.headers.get("content-type", "").lower()
        if content_type.startswith(arrow.MEDIA_TYPE):
            answer = await run_in_threadpool(_arrow_batch, model, body)  # reading, scoring and encoding off the loop
        elif content_type.startswith("application/vnd.apache.arrow"):
            raise fastapi.HTTPException(415, f"send Arrow batches in the IPC stream format ({arrow.MEDIA_TYPE})")
        else:
            answer = await run_in_threadpool(_batch, model, body)
        return Response(answer, media_type="application/json")

    schemas = app.openapi

    def openapi() -> dict:
        """FastAPI's schema, with the request bodies the endpoints validate themselves."""
        if app.openapi_schema is None:
            schemas().setdefault("components", {}).setdefault("schemas", {}).update(definitions)
        return app.openapi_schema

    app.openapi = openapi

    insights.add_routes(app, bi_path, recommender, performance or {})

    @app.get("/metrics")
    def metrics() -> Response:
        """Prometheus metrics: requests, latency, rows scored, model versions."""
        return Response(prom.generate_latest(registry), media_type=prom.CONTENT_TYPE_LATEST)

    return app
