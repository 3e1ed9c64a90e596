"""The batch endpoint: up to a limit of rows with one model, as JSON rows, JSON columns or an Arrow stream."""

from typing import Annotated, Literal, Union

import fastapi
import pydantic
import pydantic_core
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from riskhub_assets.api import arrow, request_schemas, serving
from riskhub_assets.api.bodies import UNAVAILABLE, UNPROCESSABLE, Schemas, validated
from riskhub_assets.api.inputs import Inputs
from riskhub_assets.api.state import Served

ModelName = Literal[tuple(serving.MODEL_NAMES)]
"""A served model's short name, as requests give it."""


def batch_schema(served: dict[str, serving.ServedModel], limit: int):
    """The /predict/batch body: the model's short name, then up to `limit` rows of its request schema, either
    as `rows` (one object per row) or as `columns` (each input named once, with an array of its values)."""
    one_of = {"oneOf": [{"required": ["rows"]}, {"required": ["columns"]}]}  # the schema says what the check does
    config = pydantic.ConfigDict(extra="forbid", json_schema_extra=one_of)
    checks = {"rows_or_columns": pydantic.model_validator(mode="after")(_rows_or_columns)}
    variants = [
        pydantic.create_model(
            f"{kind.title()}Batch",
            __config__=config,
            __validators__=checks,
            model=(Literal[kind], ...),
            rows=(list[served[kind].request] if kind in served else list, pydantic.Field(None, max_length=limit)),
            columns=(
                request_schemas.columns_schema(kind, served[kind].columns, limit) if kind in served else dict,
                pydantic.Field(None),
            ),  # absent, not null: an explicit null is refused
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


def _query_model(problem: str) -> fastapi.exceptions.RequestValidationError:
    """A 422 about the `?model=` query parameter."""
    return fastapi.exceptions.RequestValidationError([{"loc": ("query", "model"), "msg": problem}])


def router(served: Served, schemas: Schemas, limit: int) -> fastapi.APIRouter:
    """/predict/batch, taking up to `limit` rows a request."""
    routes, batch = fastapi.APIRouter(), pydantic.TypeAdapter(batch_schema(served.models, limit))

    def answered(model: serving.ServedModel, kind: str, inputs: Inputs) -> bytes:
        served.metrics.rows_scored.labels(kind).inc(len(inputs))
        results = serving.score(model, inputs) if len(inputs) else []
        answer = {"model_name": model.name, "model_version": model.version, "rows": len(results), "results": results}
        return pydantic_core.to_json(answer)  # the same JSON values as `as_json`, written by pydantic in Rust

    def json_batch(kind: str | None, body: bytes) -> bytes:
        request = validated(batch, body)
        if kind not in (None, request.model):
            raise _query_model(f"the body is for the {request.model} model, not {kind}")
        return answered(served.model(request.model), request.model, batch_inputs(request))

    def arrow_batch(kind: str | None, body: bytes) -> bytes:
        if kind is None:
            raise _query_model(f"name the model of an Arrow body: ?model={' or '.join(serving.MODEL_NAMES)}")
        model = served.model(kind)
        optional = ("client_id",) if kind in request_schemas.CLIENT_MODELS else ()
        try:
            inputs = arrow.arrow_inputs(body, model.columns, limit, optional)
        except arrow.Refused as refused:
            raise fastapi.exceptions.RequestValidationError(
                [{"loc": ("body", kind, "columns", *loc), "msg": msg} for loc, msg in refused.problems]
            ) from None
        return answered(model, kind, inputs)

    request_body = schemas.documented(batch)
    request_body["requestBody"]["content"][arrow.MEDIA_TYPE] = {"schema": {"type": "string", "format": "binary"}}

    @routes.post(
        "/predict/batch",
        summary=f"Score up to {limit:,} rows with one model",
        description="A JSON body (`rows` or `columns`), or an Arrow IPC stream of the inputs' columns"
        f" (Content-Type `{arrow.MEDIA_TYPE}`, the model named by `?model=`).",
        openapi_extra=request_body,
        responses=UNPROCESSABLE | UNAVAILABLE,
    )
    async def predict_batch(request: fastapi.Request, model: ModelName | None = None):
        body, content_type = await request.body(), request.headers.get("content-type", "").lower()
        if content_type.startswith(arrow.MEDIA_TYPE):  # else JSON: BodyLimits refused any other type
            answer = await run_in_threadpool(arrow_batch, model, body)  # reading, scoring and encoding off the loop
        else:
            answer = await run_in_threadpool(json_batch, model, body)
        return Response(answer, media_type="application/json")

    return routes
