"""API keys with scopes: 401 without a known key, 403 without the endpoint's scope; off only when asked, never in
production; the OpenAPI document declares the key and its refusals; schemathesis finds nothing with keys on."""

import base64
import re

import pytest
from fastapi.testclient import TestClient

from riskhub_assets.api import access
from riskhub_assets.api import app as api
from riskhub_assets.lib import settings
from riskhub_assets_tests.api.test_app import CLIENT

SCORER, ANALYST, ADMIN = (access.new_key(name, [scope]) for name, scope in
                          (("scorer", "scoring"), ("analyst", "analytics"), ("ops", "admin")))  # fmt: skip


@pytest.fixture
def keys_on(monkeypatch):
    monkeypatch.setenv(access.AUTH_VAR, "on")
    monkeypatch.setenv(access.KEYS_VAR, ";".join(key.entry() for _, key in (SCORER, ANALYST, ADMIN)))


def _as(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_every_endpoint_but_health_needs_a_key_with_its_scope(models, keys_on):
    client = TestClient(api.create_app(models))
    assert client.get("/health").status_code == 200 and client.get("/openapi.json").status_code == 200
    for call in (lambda **h: client.post("/score_default", json=CLIENT, **h), lambda **h: client.get("/metrics", **h)):
        assert call().status_code == 401
        assert call(headers=_as("rh_not-a-key")).status_code == 401
    missing = client.post("/score_default", json=CLIENT)
    assert missing.headers["www-authenticate"].startswith("Bearer") and "RISKHUB_API_KEYS" in missing.json()["detail"]
    assert client.post("/score_default", json=CLIENT, headers=_as(SCORER[0])).status_code == 200
    assert (
        client.post("/predict/batch", json={"model": "default", "rows": [CLIENT]}, headers=_as(SCORER[0])).status_code
        == 200
    )
    refused = client.post("/score_default", json=CLIENT, headers=_as(ANALYST[0]))
    assert refused.status_code == 403 and "scoring" in refused.json()["detail"]
    assert client.get("/metrics", headers=_as(SCORER[0])).status_code == 403
    assert client.get("/metrics", headers=_as(ADMIN[0])).status_code == 200
    assert client.get("/recommend/products/c-1", headers=_as(SCORER[0])).status_code == 403
    assert client.get("/recommend/products/c-1", headers=_as(ANALYST[0])).status_code == 503  # in, nothing published
    assert client.get("/analytics/summary", headers=_as(ADMIN[0])).status_code == 403


def test_a_refused_caller_is_answered_before_its_body_is_read(models, keys_on):
    client = TestClient(api.create_app(models))
    huge = client.post("/predict/batch", content=b"x" * (40 * 1024 * 1024), headers={"Content-Type": "text/csv"})
    assert huge.status_code == 401  # not 413 or 415: the key is checked first


def test_the_proxy_check_takes_a_browsers_basic_credentials(models, keys_on):
    client = TestClient(api.create_app(models))
    basic = {"Authorization": "Basic " + base64.b64encode(f"anyone:{ADMIN[0]}".encode()).decode()}
    assert client.get("/auth/check?scope=admin", headers=basic).status_code == 204
    assert client.get("/auth/check?scope=analytics", headers=basic).status_code == 403
    nobody = client.get("/auth/check?scope=admin")
    assert nobody.status_code == 401 and nobody.headers["www-authenticate"] == 'Basic realm="RiskHub"'


def test_the_docs_work_offline_and_open_like_the_docs_without_opening_anything_else(models, keys_on):
    client = TestClient(api.create_app(models))
    for page in ("/docs", "/redoc"):
        html = client.get(page)
        assert html.status_code == 200
        urls = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", html.text)
        assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls  # none on a CDN
        for url in (u for u in urls if u.startswith(access.DOCS_STATIC)):
            assert client.get(url).status_code == 200, url  # without a key, as the page itself
    assert '"validatorUrl": null' in client.get("/docs").text  # Swagger UI calls no online validator
    assert client.get(f"{access.DOCS_STATIC}/../metrics").status_code == 401  # the open prefix opens nothing else
    assert client.get(f"{access.DOCS_STATIC}x/swagger-ui.css").status_code == 401


def test_keys_come_from_a_file_and_a_bad_entry_names_its_place(tmp_path, monkeypatch):
    keys = tmp_path / "keys"
    keys.write_text(f"# the dashboard\n{SCORER[1].entry()}\n\n")
    monkeypatch.setenv(access.KEYS_FILE_VAR, str(keys))
    assert [k.name for k in access.configured_keys()] == ["scorer"]
    monkeypatch.setenv(access.KEYS_VAR, "dashboard:abc:scoring")
    with pytest.raises(settings.SettingError, match="'dashboard' in RISKHUB_API_KEYS"):
        access.configured_keys()
    monkeypatch.setenv(access.KEYS_VAR, f"x:{'0' * 64}:superuser")
    with pytest.raises(settings.SettingError, match="scopes among scoring, analytics, admin"):
        access.configured_keys()


def test_without_keys_the_api_refuses_to_start_and_off_is_refused_in_production(models, monkeypatch):
    monkeypatch.setenv(access.AUTH_VAR, "on")
    with pytest.raises(settings.SettingError, match="RISKHUB_API_KEYS or RISKHUB_API_KEYS_FILE"):
        api.create_app(models)
    monkeypatch.setenv(access.AUTH_VAR, "off")
    monkeypatch.setenv("RISKHUB_ENV", "production")
    with pytest.raises(settings.SettingError, match="refused in production"):
        api.create_app(models)
    monkeypatch.setenv(access.AUTH_VAR, "maybe")
    with pytest.raises(settings.SettingError, match="RISKHUB_API_AUTH is 'maybe'"):
        api.create_app(models)


def test_the_openapi_document_declares_the_key_and_each_scope(models, keys_on):
    spec = TestClient(api.create_app(models)).get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    score = spec["paths"]["/score_default"]["post"]
    assert score["security"] == [{"apiKey": []}] and {"401", "403"} <= set(score["responses"])
    assert "Scope: `admin`" in spec["paths"]["/metrics"]["get"]["description"]
    assert "security" not in spec["paths"]["/health"]["get"]
