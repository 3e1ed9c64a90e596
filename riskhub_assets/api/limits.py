"""What a request body may be, per endpoint: its most bytes and its content types, checked before and while it is read.

One 200 MB POST once took the API from 0.4 GB to 11 GB and froze every endpoint: a body over its endpoint's limit
is now answered 413 from its Content-Length before a byte is read, or, sent without one, as soon as the bytes
read pass the limit (what was read is dropped); a body of a type the endpoint does not take is answered 415.
"""

from dataclasses import dataclass

import fastapi
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers

from riskhub_assets.api import arrow

JSON = "application/json"
KIB, MIB = 1024, 1024 * 1024


@dataclass(frozen=True)
class BodyRule:
    """The most bytes an endpoint's request body may hold, and the content types it accepts."""

    limit: int
    media_types: tuple[str, ...] = (JSON,)

    def size(self) -> str:
        """The limit as the README and the refusals say it."""
        return f"{self.limit // MIB} MiB" if self.limit >= MIB else f"{self.limit // KIB} KiB"


ONE_ROW = BodyRule(64 * KIB)
"""A single client, transaction, manager or branch: a few hundred bytes, a few KiB with long labels."""

BATCH = BodyRule(32 * MIB, (JSON, arrow.MEDIA_TYPE))
"""Up to the batch cap of rows (10,000 rows of the widest model are some 15 MB of JSON `rows`)."""


class TooLarge(fastapi.HTTPException):
    """A body past its endpoint's limit: a 413, raised while reading it (FastAPI's routes answer it as any HTTP error)."""

    def __init__(self, path: str, rule: BodyRule):
        super().__init__(413, f"a body sent to {path} may hold at most {rule.size()}: split it into several requests")


def _refusal(path: str, rule: BodyRule, headers: Headers) -> JSONResponse | None:
    """A 415 for a content type the endpoint does not take, a 413 for a declared length past its limit, else None."""
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in rule.media_types:
        accepted = " or ".join(rule.media_types)
        detail = f"{path} takes a body of Content-Type {accepted}, not {media_type or 'none (no Content-Type header)'}"
        return JSONResponse({"detail": detail}, status_code=415)
    length = headers.get("content-length", "")
    if length.isdigit() and int(length) > rule.limit:
        return JSONResponse({"detail": TooLarge(path, rule).detail}, status_code=413)
    return None


class BodyLimits:
    """ASGI middleware: each POST to an endpoint with a `BodyRule` is refused 415 for another content type and 413
    past the limit, by its Content-Length or, without one, by counting the bytes as the endpoint reads them."""

    def __init__(self, app, rules: dict[str, BodyRule]):
        self.app, self.rules = app, rules

    async def __call__(self, scope, receive, send):
        rule = self.rules.get(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        if rule is None:
            return await self.app(scope, receive, send)
        refusal = _refusal(scope["path"], rule, Headers(scope=scope))
        if refusal is not None:
            return await refusal(scope, receive, send)
        read, answering = 0, False

        async def counted():
            nonlocal read
            message = await receive()
            read += len(message.get("body", b""))
            if read > rule.limit:
                raise TooLarge(scope["path"], rule)
            return message

        async def noted(message):
            nonlocal answering
            answering = answering or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, noted)
        except TooLarge as error:  # raised outside FastAPI's routes: by the single-score lane
            if answering:
                raise
            await JSONResponse({"detail": error.detail}, status_code=413)(scope, receive, send)


def document(spec: dict, rules: dict[str, BodyRule]) -> None:
    """Declare in the OpenAPI document the 413 and 415 of every endpoint with a body rule, and its limit."""
    for path, rule in rules.items():
        operation = spec["paths"][path]["post"]
        operation["description"] = f"{operation.get('description', '')}\n\nBody: at most {rule.size()}.".strip()
        operation["responses"]["413"] = _problem(f"The body is over {rule.size()}")
        operation["responses"]["415"] = _problem(f"The body is not {' or '.join(rule.media_types)}")


def _problem(description: str) -> dict:
    """An error answer as the OpenAPI document declares it: JSON with a `detail` saying what to do."""
    return {"description": description, "content": {JSON: {"schema": {"$ref": "#/components/schemas/Refusal"}}}}
