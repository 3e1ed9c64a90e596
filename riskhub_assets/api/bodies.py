"""Request bodies the endpoints validate themselves: parsed in one pass, wrong fields listed, schemas documented."""

import json
from collections.abc import Callable

import fastapi
import pydantic
from fastapi.responses import JSONResponse


class Problem(pydantic.BaseModel):
    """One wrong field of a request: where it is (a dotted path) and what is wrong with it."""

    field: str
    problem: str


class Problems(pydantic.BaseModel):
    """A 422: every wrong field of the request."""

    detail: list[Problem]


class Refusal(pydantic.BaseModel):
    """Any other refusal (401, 403, 404, 413, 415, 503): what is wrong and what fixes it."""

    detail: str


UNPROCESSABLE = {
    422: {
        "model": Problems,
        "description": "A field is missing, unknown, of the wrong type or not finite: each is listed",
    }
}
UNAVAILABLE = {503: {"model": Refusal, "description": "The model has no champion in the registry yet"}}


def as_json(content) -> bytes:
    """JSON bytes as Starlette's JSONResponse renders them."""
    return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode()


def problems(errors: list[dict]) -> list[dict]:
    """Each validation error as the field it is about (a dotted path, without FastAPI's "body") and what is wrong."""
    return [{"field": ".".join(str(p) for p in e["loc"] if p != "body"), "problem": e["msg"]} for e in errors]


async def unprocessable(request: fastapi.Request, error: fastapi.exceptions.RequestValidationError) -> JSONResponse:
    """A 422 listing each wrong field and what is wrong with it."""
    return JSONResponse(status_code=422, content={"detail": problems(error.errors())})


def validated(adapter: pydantic.TypeAdapter, body: bytes):
    """The request body parsed and validated in one pass (pydantic's Rust JSON parser, no Python dicts first);
    a bad body raises FastAPI's RequestValidationError, so it gets the usual 422 naming each wrong field."""
    try:
        return adapter.validate_json(body)
    except pydantic.ValidationError as error:
        raise fastapi.exceptions.RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False, include_context=False)]
        ) from None


class Schemas:
    """The request schemas of the endpoints that validate their bodies themselves, for the OpenAPI document."""

    def __init__(self):
        self.definitions: dict[str, dict] = {}

    def documented(self, adapter: pydantic.TypeAdapter) -> dict:
        """The OpenAPI request body of an endpoint validating its body with `adapter` (the schemas it refers to
        go into the document's components)."""
        schema = adapter.json_schema(ref_template="#/components/schemas/{model}")
        self.definitions.update(schema.pop("$defs", {}))
        return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}

    def add_to(self, app: fastapi.FastAPI) -> None:
        """Make `app`'s OpenAPI document FastAPI's, with these request schemas among its components."""
        amend_openapi(
            app, lambda spec: spec.setdefault("components", {}).setdefault("schemas", {}).update(self.definitions)
        )


def amend_openapi(app: fastapi.FastAPI, amend: Callable[[dict], None]) -> None:
    """Make `app`'s OpenAPI document the one it has, changed once by `amend` (what FastAPI cannot infer)."""
    made = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            amend(made())
        return app.openapi_schema

    app.openapi = openapi
