"""Who may call the API: API keys with scopes, read from the environment; off only in an explicit local mode.

A key is a random secret (`riskhub api-key NAME --scopes ...` makes one); RiskHub keeps only its SHA-256, with the
key's name and scopes, in RISKHUB_API_KEYS (entries separated by `;` or new lines) or in the file named by
RISKHUB_API_KEYS_FILE: `NAME:SHA256:SCOPE[,SCOPE...]`. A caller sends `Authorization: Bearer KEY` (or Basic
credentials whose password is the key, as a browser does through the reverse proxy in deploy/proxy/). No key or
a wrong one is answered 401; a key without the endpoint's scope 403.
"""

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import fastapi
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import Headers

from riskhub_assets.api.bodies import UNPROCESSABLE, Refusal
from riskhub_assets.lib import settings

SCOPES = ("scoring", "analytics", "admin")
"""scoring: the model endpoints; analytics: recommendations and the summary; admin: metrics and the Dagster UI."""

AUTH_VAR, KEYS_VAR, KEYS_FILE_VAR = "RISKHUB_API_AUTH", "RISKHUB_API_KEYS", "RISKHUB_API_KEYS_FILE"
OPEN_PATHS = ("/health", "/auth/check", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json")
"""What anyone may read: whether the API is up, the key check the proxy asks, and the API's documentation."""
DOCS_STATIC = "/docs/static"
"""Where the documentation pages' scripts and styles are served from (this API, not a CDN): open like the pages."""

OFF_WARNING = (
    f"{AUTH_VAR}=off: the scoring API answers ANYONE who can reach it, without a key. Only for a machine of your"
    f" own on 127.0.0.1; set {KEYS_VAR} (make keys with `riskhub api-key`) before serving anyone else."
)
log = logging.getLogger("riskhub.api")


@dataclass(frozen=True)
class ApiKey:
    """A caller's key as RiskHub keeps it: its name, the SHA-256 of the secret, and what it may call."""

    name: str
    digest: bytes
    scopes: frozenset[str]

    def entry(self) -> str:
        """The key as a RISKHUB_API_KEYS entry."""
        return f"{self.name}:{self.digest.hex()}:{','.join(sorted(self.scopes))}"


def new_key(name: str, scopes: list[str]) -> tuple[str, ApiKey]:
    """A new random secret for a caller, and the entry that lets it in (the secret itself is stored nowhere)."""
    secret = f"rh_{secrets.token_urlsafe(32)}"
    return secret, _entry(f"{name}:{hashlib.sha256(secret.encode()).hexdigest()}:{','.join(scopes)}", "riskhub api-key")


def _entry(text: str, origin: str) -> ApiKey:
    """One `NAME:SHA256:SCOPE[,SCOPE...]` entry; a malformed one is refused naming where it came from."""
    parts = text.strip().split(":")
    scopes = frozenset(s.strip() for s in parts[-1].split(",")) if len(parts) == 3 else frozenset()
    if len(parts) != 3 or not parts[0] or not re.fullmatch(r"[0-9a-f]{64}", parts[1]) or not scopes <= set(SCOPES):
        shown = parts[0] if parts and parts[0] else text[:12]
        raise settings.SettingError(
            f"the API key entry {shown!r} in {origin} is not NAME:SHA256:SCOPE[,SCOPE...] with 64 hex digits and"
            f" scopes among {', '.join(SCOPES)}: make entries with `riskhub api-key NAME --scopes ...`"
        )
    return ApiKey(parts[0], bytes.fromhex(parts[1]), scopes)


def configured_keys() -> list[ApiKey]:
    """The keys in RISKHUB_API_KEYS and in the file RISKHUB_API_KEYS_FILE names (blank lines and # comments skipped)."""
    sources = [(os.environ.get(KEYS_VAR, ""), KEYS_VAR)]
    if os.environ.get(KEYS_FILE_VAR):
        path = Path(os.environ[KEYS_FILE_VAR])
        if not path.is_file():
            raise settings.SettingError(f"{KEYS_FILE_VAR} names {path}, which is not a file")
        sources.append((path.read_text(), f"{path} ({KEYS_FILE_VAR})"))
    lines = [(line, origin) for text, origin in sources for line in re.split(r"[;\n]", text)]
    return [_entry(line, origin) for line, origin in lines if line.strip() and not line.strip().startswith("#")]


def auth_off() -> bool:
    """Whether RISKHUB_API_AUTH asks for no authentication (`off`); anything but `on` or `off` is refused."""
    mode = os.environ.get(AUTH_VAR, "on").strip().lower()
    if mode not in ("on", "off"):
        raise settings.SettingError(f"{AUTH_VAR} is {mode!r}: expected on (the default) or off (a local machine only)")
    return mode == "off"


@dataclass(frozen=True)
class Access:
    """The keys the API accepts; None: authentication off (the explicit local mode)."""

    keys: tuple[ApiKey, ...] | None

    @classmethod
    def from_environment(cls) -> "Access":
        """The keys configured; authentication off only when asked for, outside production, with a loud warning."""
        if auth_off():
            if settings.environment() == "production":
                raise settings.SettingError(f"{AUTH_VAR}=off is refused in production (RISKHUB_ENV=production)")
            log.warning(OFF_WARNING)
            return cls(None)
        keys = tuple(configured_keys())
        if not keys:
            raise settings.SettingError(
                f"the scoring API needs keys: set {KEYS_VAR} or {KEYS_FILE_VAR} (make keys with `riskhub api-key NAME"
                f" --scopes ...`), or {AUTH_VAR}=off on a machine of your own"
            )
        return cls(keys)

    def caller(self, headers: Headers) -> ApiKey | None:
        """The key the request presents, if it is one of ours: every key compared, each in constant time."""
        presented = _presented(headers.get("authorization", ""))
        digest = hashlib.sha256(presented.encode()).digest() if presented else b""
        found = None
        for key in self.keys or ():
            if hmac.compare_digest(digest, key.digest):
                found = key
        return found


def _presented(authorization: str) -> str:
    """The secret of a `Bearer KEY` header, or the password of Basic credentials; empty if neither."""
    kind, _, value = authorization.strip().partition(" ")
    if kind.lower() == "bearer":
        return value.strip()
    if kind.lower() == "basic":
        try:
            return base64.b64decode(value.strip(), validate=True).decode().partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            return ""
    return ""


def _refused(status: int, detail: str, challenge: str = "Bearer") -> JSONResponse:
    headers = {"WWW-Authenticate": f'{challenge} realm="RiskHub"'} if status == 401 else None
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _check(access: Access, headers: Headers, scope: str | None, challenge: str = "Bearer") -> JSONResponse | None:
    """A 401 without a known key, a 403 when the key lacks `scope`, else None (the caller may go on)."""
    key = access.caller(headers)
    if key is None:
        return _refused(401, f"send a RiskHub API key: Authorization: Bearer KEY (see {KEYS_VAR})", challenge)
    if scope is not None and scope not in key.scopes:
        return _refused(403, f"the key {key.name!r} lacks the scope {scope!r} this endpoint needs")
    return None


class Authenticate:
    """ASGI middleware: with authentication on, every request but the open paths needs a key, and the scope its
    endpoint names in `scopes` (a path, `{...}` for a path parameter); an unlisted path needs any valid key."""

    def __init__(self, app, access: Access, scopes: dict[str, str]):
        self.app, self.access = app, access
        self.scopes = [
            (re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$"), s) for path, s in scopes.items()
        ]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or self.access.keys is None or _open(scope["path"]):
            return await self.app(scope, receive, send)
        needed = next((s for pattern, s in self.scopes if pattern.match(scope["path"])), None)
        refusal = _check(self.access, Headers(scope=scope), needed)
        if refusal is not None:
            return await refusal(scope, receive, send)  # before any body is read
        await self.app(scope, receive, send)


def _open(path: str) -> bool:
    """Whether anyone may read `path`: an open path or one of the documentation's static files."""
    return path in OPEN_PATHS or path.startswith(f"{DOCS_STATIC}/")


def router(access: Access) -> fastapi.APIRouter:
    """/auth/check: whether the request's key has a scope; what the reverse proxy asks before the UIs."""
    routes = fastapi.APIRouter()
    responses = {
        401: {"model": Refusal, "description": "No key, or not one of ours"},
        403: {"model": Refusal, "description": "The key lacks the scope"},
        **UNPROCESSABLE,
    }

    @routes.get("/auth/check", status_code=204, response_class=Response, responses=responses)
    def auth_check(request: fastapi.Request, scope: Literal[SCOPES]) -> Response:  # type: ignore[valid-type]
        """204 when the request's key (Bearer, or Basic with the key as password) has `scope`: the reverse proxy
        in deploy/proxy/ asks this before the Dagster UI (admin) and the dashboard (analytics)."""
        if access.keys is not None:
            refusal = _check(access, request.headers, scope, challenge="Basic")
            if refusal is not None:
                return refusal
        return Response(status_code=204)

    return routes


def document(spec: dict, access: Access, scopes: dict[str, str]) -> None:
    """With authentication on, declare the key (a bearer token), and each protected operation's 401 and 403."""
    if access.keys is None:
        return
    components = spec.setdefault("components", {})
    components.setdefault("securitySchemes", {})["apiKey"] = {
        "type": "http",
        "scheme": "bearer",
        "description": f"A RiskHub API key ({KEYS_VAR}); scopes: {', '.join(SCOPES)}",
    }
    refusal = {"application/json": {"schema": {"$ref": "#/components/schemas/Refusal"}}}
    for path, operations in spec["paths"].items():
        if path in OPEN_PATHS:
            continue
        for operation in operations.values():
            needed = scopes.get(path)
            operation["security"] = [{"apiKey": []}]
            operation["responses"]["401"] = {"description": "No API key, or not one of ours", "content": refusal}
            if needed:
                operation["description"] = f"{operation.get('description', '')}\n\nScope: `{needed}`.".strip()
                operation["responses"]["403"] = {"description": f"The key lacks the scope {needed}", "content": refusal}


LOOPBACK = ("127.0.0.1", "localhost", "::1")
PROXY_DOC = "deploy/proxy/nginx.conf (README: Serving beyond this machine)"


def guard_serving(host: str, env: dict[str, str]) -> str:
    """The address the Dagster UI and the dashboard may bind, after checking the API's keys: on this machine
    without keys, the API in the explicit local mode (loudly); beyond it, keys or nothing, and the UIs, which have no
    authentication of their own, on 127.0.0.1 behind the authenticating proxy."""
    keys, off, production = configured_keys(), auth_off(), settings.environment() == "production"
    local = host in LOOPBACK and not production
    if local and not keys and AUTH_VAR not in os.environ:
        env[AUTH_VAR], off = "off", True
    if off and not local:
        where = "in production (RISKHUB_ENV)" if production else f"with --host {host}, beyond this machine"
        raise settings.SettingError(f"{AUTH_VAR}=off is refused {where}: the API would answer anyone")
    if not off and not keys:
        raise settings.SettingError(
            f"the API needs keys: set {KEYS_VAR} or {KEYS_FILE_VAR} (make keys with `riskhub api-key"
            f" NAME --scopes ...`){'' if host in LOOPBACK else f' before serving --host {host}'}"
        )
    if off:
        print(f"WARNING: {OFF_WARNING}", file=sys.stderr)
    elif "RISKHUB_API_KEY" not in os.environ:
        print("WARNING: RISKHUB_API_KEY (a key with the scoring scope) is unset: the dashboard cannot score CSVs")
    if host in LOOPBACK:
        return host
    print("the Dagster UI and the dashboard have no authentication of their own: they listen on 127.0.0.1 only;")
    print(f"reach them through an authenticating reverse proxy such as {PROXY_DOC}")
    return "127.0.0.1"
