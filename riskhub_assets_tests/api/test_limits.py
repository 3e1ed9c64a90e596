"""Request bodies within limits: refused 413 before or while being read, 415 for a type an endpoint does not take,
Arrow streams read to their end, and an OpenAPI document that declares every answer."""

import asyncio

import pytest
from fastapi.testclient import TestClient

from riskhub_assets.api import app as api
from riskhub_assets.api import arrow
from riskhub_assets_tests.api.test_app import COLUMNS, _arrow, _post_arrow

MB = 1024 * 1024


def _post_raw(app, path: str, chunks, headers: dict[str, str]) -> tuple[int, int]:
    """POST `chunks` (an iterator of bytes) straight to the ASGI app: the status and how many chunks it read."""
    pulled, answer = [0], {}

    async def receive():
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        pulled[0] += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]

    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    scope = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b"model=default",
             "headers": raw, "http_version": "1.1", "scheme": "http", "server": ("t", 80), "client": ("c", 1),
             "root_path": "", "app": app}  # fmt: skip
    asyncio.run(app(scope, receive, send))
    return answer["status"], pulled[0]


def _megabytes(n: int):
    return (b"x" * MB for _ in range(n))


@pytest.mark.parametrize("path", ["/score_default", "/predict/batch"])
def test_a_200_mb_body_is_refused_413_without_being_read_into_memory(models, path):
    app = api.create_app(models)
    json = {"Content-Type": "application/json"}
    declared = _post_raw(app, path, _megabytes(200), {**json, "Content-Length": str(200 * MB)})
    assert declared == (413, 0)  # refused by its Content-Length: not a byte read
    status, read = _post_raw(app, path, _megabytes(200), json)  # streamed without a length (chunked)
    assert status == 413 and read <= api.BODY_RULES[path].limit // MB + 1


def test_the_refusal_names_the_limit_and_a_body_within_it_is_scored(models):
    client = TestClient(api.create_app(models))
    big = client.post("/score_default", content=b" " * (64 * 1024 + 1), headers={"Content-Type": "application/json"})
    assert big.status_code == 413 and "at most 64 KiB" in big.json()["detail"]
    padded = b'{"segment": "mass", "missed_payments_90d": 1, "balance": 2.0, "utilisation": null}' + b" " * 60_000
    assert (
        client.post("/score_default", content=padded, headers={"Content-Type": "application/json"}).status_code == 200
    )


@pytest.mark.parametrize(
    "path, content_type",
    [
        ("/score_default", None),
        ("/score_default", "text/plain"),
        ("/predict_churn", "application/x-www-form-urlencoded"),  # curl -d without -H
        ("/detect_anomaly", arrow.MEDIA_TYPE),
        ("/predict/batch", "text/csv"),
        ("/predict/batch", "application/vnd.apache.arrow.file"),
        ("/predict/agency-performance", "application/xml"),
    ],
)
def test_a_body_of_a_type_the_endpoint_does_not_take_is_refused_415(models, path, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    client = TestClient(api.create_app(models))
    response = client.post(path, content=b"{}", headers=headers)
    assert response.status_code == 415 and "application/json" in response.json()["detail"]
    assert f'riskhub_requests_total{{endpoint="{path}",status="415"}} 1.0' in client.get("/metrics").text


def test_json_with_a_charset_is_json(models):
    client = TestClient(api.create_app(models))
    headers = {"Content-Type": "application/json; charset=utf-8"}
    body = b'{"segment": "mass", "missed_payments_90d": 1, "balance": 2.0, "utilisation": null}'
    assert client.post("/score_default", content=body, headers=headers).status_code == 200


@pytest.mark.parametrize("extra", ["trailing", "second stream"])
def test_an_arrow_body_with_anything_after_its_stream_is_refused_whole(models, extra):
    stream = _arrow(COLUMNS)
    body = stream + (b"\x00garbage" if extra == "trailing" else stream)
    response = _post_arrow(TestClient(api.create_app(models)), "default", body)
    assert response.status_code == 422
    assert "follow the end of the Arrow IPC stream" in response.json()["detail"][0]["problem"]
    assert _post_arrow(TestClient(api.create_app(models)), "default", stream).status_code == 200


def test_the_openapi_document_declares_every_answer(models):
    spec = TestClient(api.create_app(models)).get("/openapi.json").json()
    for path in api.BODY_RULES:
        responses = spec["paths"][path]["post"]["responses"]
        assert {"200", "413", "415", "422", "503"} <= set(responses), path
        assert responses["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Problems"}
    assert "at most 32 MiB" in spec["paths"]["/predict/batch"]["post"]["description"]
    assert {"404", "422", "503"} <= set(spec["paths"]["/recommend/products/{client_id}"]["get"]["responses"])
    metrics = spec["paths"]["/metrics"]["get"]["responses"]["200"]
    assert list(metrics["content"]) == ["text/plain"] and "Prometheus" in metrics["description"]
