"""The scoring API: champion models behind strict schemas, clear 422s, model versions on every answer."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from riskhub_assets.api import app as api
from riskhub_assets.api import arrow, serving
from riskhub_assets.lib import tracking
from riskhub_assets.ml import make_anomaly_model, make_churn_model, make_default_model


def _clients(n=600, seed=0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    risk = rng.normal(size=n)
    X = pd.DataFrame(
        {
            "segment": rng.choice(["mass", "affluent"], n).astype(object),
            "missed_payments_90d": rng.poisson(np.exp(risk - 1)).astype(float),
            "balance": rng.lognormal(7, 1, n) * np.exp(-0.5 * risk),
            "utilisation": np.where(rng.random(n) < 0.2, np.nan, rng.beta(2, 5, n)),
        }
    )
    return X, (rng.random(n) < 1 / (1 + np.exp(2 - 1.5 * risk))).astype(int)


def _transactions(n=2000, seed=1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "amount": rng.lognormal(3, 1, n),
            "channel": rng.choice(["pos", "atm", "ecommerce"], n).astype(object),
            "hour_of_day": rng.integers(0, 24, n).astype(float),
        }
    )


def _columns(X: pd.DataFrame) -> dict[str, type]:
    return {c: str if X[c].dtype == object else float for c in X.columns}


@pytest.fixture(scope="module")
def models() -> dict[str, serving.ServedModel]:
    X, y = _clients()
    tx = _transactions()
    anomaly = make_anomaly_model(n_estimators=50).fit(tx)
    return {
        "default": serving.ServedModel(
            "default", "riskhub_default_model", "4", make_default_model().fit(X, y), _columns(X)
        ),
        "churn": serving.ServedModel("churn", "riskhub_churn_model", "2", make_churn_model().fit(X, y), _columns(X)),
        "anomaly": serving.ServedModel(
            "anomaly", "riskhub_anomaly_model", "1", anomaly, _columns(tx), np.sort(anomaly.score_samples(tx))
        ),
    }


CLIENT = {"segment": "mass", "missed_payments_90d": 2, "balance": 120.5, "utilisation": None, "client_id": "c-1"}
TRANSACTION = {"amount": 9500.0, "channel": "ecommerce", "hour_of_day": 3}


def test_single_scores_carry_the_model_and_its_version(models):
    client = TestClient(api.create_app(models))
    assert client.get("/health").json() == {"status": "ok", "models": ["anomaly", "churn", "default"], "missing": []}
    assert client.get("/model/info").json()["default"]["inputs"] == list(CLIENT)[:-1]
    default = client.post("/score_default", json=CLIENT).json()
    assert 0 < default["probability_of_default"] < 1 and default["grade"] in "ABCDEFGHI"
    assert default["model_version"] == "4" and default["client_id"] == "c-1" and default["reason_codes"]
    churn = client.post("/predict_churn", json=CLIENT).json()
    assert churn["risk_band"] in ("low", "medium", "high") and churn["model_name"] == "riskhub_churn_model"
    anomaly = client.post("/detect_anomaly", json=TRANSACTION).json()
    assert anomaly["training_percentile"] > 0.9 and anomaly["top_features"][0] == "amount"
    metrics = client.get("/metrics").text
    assert 'riskhub_requests_total{endpoint="/score_default",status="200"} 1.0' in metrics
    assert 'riskhub_model_loaded{model="riskhub_default_model",version="4"} 1.0' in metrics


@pytest.mark.parametrize(
    "body, field",
    [
        ({k: v for k, v in CLIENT.items() if k != "balance"}, "balance"),
        ({**CLIENT, "balance": "lots"}, "balance"),
        ({**CLIENT, "segment": 3}, "segment"),
        ({**CLIENT, "income": 1}, "income"),
    ],
)
def test_a_bad_payload_gets_422_naming_the_field(models, body, field):
    response = TestClient(api.create_app(models)).post("/score_default", json=body)
    assert response.status_code == 422
    assert field in {p["field"] for p in response.json()["detail"]}


def test_a_body_that_is_not_json_gets_422_and_the_docs_show_every_request_schema(models):
    client = TestClient(api.create_app(models))
    json = {"Content-Type": "application/json"}
    response = client.post("/detect_anomaly", content=b'{"amount": 1,', headers=json)
    assert response.status_code == 422 and response.json()["detail"][0]["problem"].startswith("Invalid JSON")
    assert client.post("/score_default", content=b'{"balance": NaN}', headers=json).status_code == 422
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/score_default"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) == {*CLIENT} and "balance" in body["required"]
    batch = spec["paths"]["/predict/batch"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"DefaultBatch", "DefaultRequest"} <= set(spec["components"]["schemas"])
    assert "#/components/schemas/DefaultBatch" in str(batch)


def test_single_scores_answer_the_same_before_fastapi_and_through_its_route(models):
    fast, routed = TestClient(api.create_app(models)), TestClient(api.create_app(models))
    lanes = next(m for m in routed.app.user_middleware if m.cls is api.SingleScores).kwargs["lanes"]
    lanes.clear()  # SingleScores lets every request through to FastAPI's routes
    for body in (CLIENT, {**CLIENT, "balance": "lots", "income": 1}):
        answers = [client.post("/score_default", json=body) for client in (fast, routed)]
        assert answers[0].status_code == answers[1].status_code and answers[0].json() == answers[1].json()
        assert answers[0].headers["content-type"] == "application/json"
    assert fast.get("/score_default").status_code == 405
    assert 'riskhub_requests_total{endpoint="/score_default",status="422"} 1.0' in fast.get("/metrics").text


def test_batch_scores_many_rows_and_refuses_more_than_its_cap(models, monkeypatch):
    monkeypatch.setattr(api, "BATCH_LIMIT", 5)
    client = TestClient(api.create_app(models))
    X, _ = _clients(4, seed=3)
    rows = X.astype(object).where(X.notna(), None).to_dict("records")
    batch = client.post("/predict/batch", json={"model": "default", "rows": rows}).json()
    single = client.post("/score_default", json=rows[1]).json()
    assert batch["rows"] == 4 and batch["model_version"] == "4"
    assert batch["results"][1]["probability_of_default"] == pytest.approx(single["probability_of_default"])
    too_many = client.post("/predict/batch", json={"model": "default", "rows": rows + rows})
    assert too_many.status_code == 422 and too_many.json()["detail"][0]["field"] == "default.rows"
    wrong = client.post("/predict/batch", json={"model": "churn", "rows": [{**rows[0], "balance": "x"}]})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["field"] == "churn.rows.0.balance"


def test_a_model_without_champion_answers_503_and_health_says_degraded(models):
    client = TestClient(api.create_app({"default": models["default"]}))
    assert client.get("/health").json()["missing"] == ["anomaly", "churn"]
    response = client.post("/predict_churn", json=CLIENT)
    assert response.status_code == 503 and "riskhub_churn_model" in response.json()["detail"]
    batch = client.post("/predict/batch", json={"model": "churn", "rows": [CLIENT]})
    assert batch.status_code == 503


def test_a_row_that_breaks_the_model_fails_alone_and_is_counted(models):
    broken = serving.ServedModel("default", "riskhub_default_model", "4", None, models["default"].columns)
    client = TestClient(api.create_app({**models, "default": broken}), raise_server_exceptions=False)
    assert client.post("/score_default", json=CLIENT).status_code == 500
    assert client.post("/predict_churn", json=CLIENT).status_code == 200
    assert 'riskhub_requests_total{endpoint="/score_default",status="500"} 1.0' in client.get("/metrics").text


def test_the_batcher_answers_each_request_even_when_one_row_fails():
    import asyncio

    def score(rows):
        if any(r["x"] < 0 for r in rows):
            raise ValueError("negative")
        return [{"y": r["x"] * 2} for r in rows]

    async def main():
        batcher = api.MicroBatcher(score)
        return await asyncio.gather(*[batcher.submit({"x": x}) for x in (1, -1, 3)], return_exceptions=True)

    first, failed, third = asyncio.run(main())
    assert (first, third) == ({"y": 2}, {"y": 6}) and isinstance(failed, ValueError)


def test_champions_load_from_the_registry_with_their_signature(models, isolated_data):
    X, _ = _clients(50)
    model = models["default"].model
    with tracking.training_run("riskhub", "riskhub_default_model", {}):  # its files under the test's data folder
        version = tracking.log_model(
            model, "riskhub_default_model", X, pd.DataFrame({"p": model.predict_proba(X)[:, 1]})
        )
    tracking.promote("riskhub_default_model", version, wins=True)
    loaded = serving.load_champions()
    assert set(loaded) == {"default"} and loaded["default"].version == version
    assert loaded["default"].columns == {
        "segment": str,
        "missed_payments_90d": float,
        "balance": float,
        "utilisation": float,
    }


def test_a_champion_tampered_with_is_not_served_and_its_endpoint_says_why(models, isolated_data):
    X, _ = _clients(50)
    for kind in ("default", "churn"):
        model, name = models[kind].model, serving.MODEL_NAMES[kind]
        with tracking.training_run("riskhub", name, {}):  # its files under the test's data folder
            version = tracking.log_model(model, name, X, pd.DataFrame({"p": model.predict_proba(X)[:, 1]}))
            tracking.promote(name, version, wins=True)
        if kind == "default":
            (stored,) = isolated_data.rglob("model.skops")
            stored.write_bytes(stored.read_bytes() + b"appended")
    client = TestClient(api.create_app())
    refused = client.post("/score_default", json=CLIENT)
    assert refused.status_code == 503
    assert "riskhub_default_model version 1 is refused: file model.skops was changed" in refused.json()["detail"]
    assert client.post("/predict_churn", json=CLIENT).status_code == 200
    assert client.get("/health").json()["missing"] == ["anomaly", "default"]


def _as_columns(rows: list[dict]) -> dict[str, list]:
    return {column: [row[column] for row in rows] for column in rows[0]}


def test_a_columnar_batch_is_scored_as_the_same_rows(models):
    client = TestClient(api.create_app(models))
    X, _ = _clients(40, seed=5)
    clients = X.astype(object).where(X.notna(), None).to_dict("records")
    transactions = _transactions(30, seed=6).to_dict("records")
    for kind, rows in (("default", clients), ("churn", clients), ("anomaly", transactions)):
        by_rows = client.post("/predict/batch", json={"model": kind, "rows": rows})
        by_columns = client.post("/predict/batch", json={"model": kind, "columns": _as_columns(rows)})
        assert by_rows.status_code == by_columns.status_code == 200
        assert by_columns.json() == by_rows.json() and by_columns.json()["rows"] == len(rows)
    ids = [f"c-{i}" for i in range(len(clients))]
    columns = {**_as_columns(clients), "client_id": ids}
    named = client.post("/predict/batch", json={"model": "default", "columns": columns})
    assert [r["client_id"] for r in named.json()["results"]] == ids
    assert 'riskhub_rows_scored_total{model="default"} 120.0' in client.get("/metrics").text


COLUMNS = _as_columns([CLIENT, {**CLIENT, "balance": 3.5, "segment": None}, {**CLIENT, "client_id": None}])


@pytest.mark.parametrize(
    "body, field, problem",
    [
        ({"columns": {**COLUMNS, "balance": [1.0, "lots", 2.0]}}, "default.columns.balance.1", "valid number"),
        ({"columns": {k: v for k, v in COLUMNS.items() if k != "balance"}}, "default.columns.balance", "required"),
        ({"columns": {**COLUMNS, "income": [1, 2, 3]}}, "default.columns.income", "not permitted"),
        ({"columns": {**COLUMNS, "balance": 1.0}}, "default.columns.balance", "valid array"),
        ({"columns": {**COLUMNS, "balance": [1.0, 2.0]}}, "default.columns", "most have 3 values, balance has 2"),
        ({"columns": COLUMNS, "rows": [CLIENT]}, "default", "either as `rows`"),
        ({}, "default", "either as `rows`"),
        ({"columns": [CLIENT]}, "default.columns", "should be an object"),
    ],
)
def test_a_bad_columnar_batch_gets_422_saying_what_is_wrong(models, body, field, problem):
    response = TestClient(api.create_app(models)).post("/predict/batch", json={"model": "default", **body})
    assert response.status_code == 422
    assert any(p["field"] == field and problem in p["problem"] for p in response.json()["detail"])


def test_a_columnar_batch_keeps_the_row_cap_and_refuses_non_finite_numbers(models, monkeypatch):
    monkeypatch.setattr(api, "BATCH_LIMIT", 2)
    client = TestClient(api.create_app(models))
    too_many = client.post("/predict/batch", json={"model": "default", "columns": COLUMNS})
    assert too_many.status_code == 422
    cap = "List should have at most 2 items after validation, not 3"
    assert {"field": "default.columns.balance", "problem": cap} in too_many.json()["detail"]
    nan = b'{"model": "default", "columns": {"segment": ["mass"], "missed_payments_90d": [1], "balance": [NaN],'
    nan += b' "utilisation": [null]}}'
    response = client.post("/predict/batch", content=nan, headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "default.columns.balance.0"


def _arrow(columns: dict[str, list], types: dict | None = None) -> bytes:
    """An Arrow IPC stream of these columns (types inferred unless given), as a client's DataFrame would send."""
    return arrow.stream(pa.table({c: pa.array(v, type=(types or {}).get(c)) for c, v in columns.items()}))


def _post_arrow(client: TestClient, model: str | None, body: bytes):
    query = f"?model={model}" if model else ""
    headers = {"Content-Type": "application/vnd.apache.arrow.stream"}
    return client.post(f"/predict/batch{query}", content=body, headers=headers)


def test_an_arrow_batch_is_scored_as_the_same_rows_in_json(models, monkeypatch):
    monkeypatch.setattr(serving, "PARALLEL_ROWS", 16)  # the batches are scored in parts on the cores' threads
    client = TestClient(api.create_app(models))
    X, _ = _clients(40, seed=5)
    clients = X.astype(object).where(X.notna(), None).to_dict("records")
    clients[3] = {**clients[3], "missed_payments_90d": 2}  # an integer among floats
    transactions = _transactions(30, seed=6).to_dict("records")
    for kind, rows in (("default", clients), ("churn", clients), ("anomaly", transactions)):
        by_json = client.post("/predict/batch", json={"model": kind, "rows": rows})
        by_arrow = _post_arrow(client, kind, _arrow(_as_columns(rows)))
        assert by_json.status_code == by_arrow.status_code == 200
        assert by_arrow.json() == by_json.json() and by_arrow.json()["rows"] == len(rows)
    ids = [f"c-{i}" for i in range(len(clients))]
    typed = {"missed_payments_90d": pa.int32()}  # any integer or float type is a number
    named = _post_arrow(client, "default", _arrow({**_as_columns(clients), "client_id": ids}, typed))
    assert [r["client_id"] for r in named.json()["results"]] == ids
    no_rows = _arrow({c: [] for c in TRANSACTION}, {"channel": pa.string()})
    empty = _post_arrow(client, "anomaly", no_rows)
    assert empty.status_code == 200 and empty.json()["results"] == []


@pytest.mark.parametrize(
    "model, columns, types, field, problem",
    [
        ("default", {**COLUMNS, "balance": ["1", "2", "3"]}, None, "default.columns.balance", "should be numbers"),
        ("default", {**COLUMNS, "balance": [True, False, True]}, None, "default.columns.balance", "should be numbers"),
        ("default", {**COLUMNS, "segment": [1, 2, 3]}, None, "default.columns.segment", "should be text"),
        ("default", {k: v for k, v in COLUMNS.items() if k != "balance"}, None, "default.columns.balance", "required"),
        ("default", {**COLUMNS, "income": [1, 2, 3]}, None, "default.columns.income", "not permitted"),
        ("default", {**COLUMNS, "balance": [1.0, float("inf"), 2.0]}, None, "default.columns.balance.1", "finite"),
        ("anomaly", {**_as_columns([TRANSACTION] * 3), "client_id": ["a", "b", "c"]}, None, "anomaly.columns.client_id",
         "not permitted"),
        (None, COLUMNS, None, "query.model", "name the model"),
        ("nobody", COLUMNS, None, "query.model", "Input should be"),
    ],
)  # fmt: skip
def test_a_bad_arrow_batch_gets_422_saying_what_is_wrong(models, model, columns, types, field, problem):
    response = _post_arrow(TestClient(api.create_app(models)), model, _arrow(columns, types))
    assert response.status_code == 422
    assert any(p["field"] == field and problem in p["problem"] for p in response.json()["detail"]), response.json()


def test_an_arrow_batch_keeps_the_row_cap_and_refuses_what_is_not_arrow(models, monkeypatch):
    monkeypatch.setattr(api, "BATCH_LIMIT", 2)
    client = TestClient(api.create_app(models))
    too_many = _post_arrow(client, "default", _arrow(COLUMNS))
    assert too_many.status_code == 422 and "at most 2 rows" in too_many.json()["detail"][0]["problem"]
    garbage = _post_arrow(client, "default", b'{"model": "default"}')
    assert garbage.status_code == 422 and "not a valid Arrow IPC stream" in garbage.json()["detail"][0]["problem"]
    as_file = {"Content-Type": "application/vnd.apache.arrow.file"}
    assert client.post("/predict/batch?model=default", content=b"ARROW1", headers=as_file).status_code == 415
    two_rows = {column: values[:2] for column, values in COLUMNS.items()}
    other = client.post("/predict/batch?model=churn", json={"model": "default", "columns": two_rows})
    assert other.status_code == 422 and other.json()["detail"][0]["field"] == "query.model"
    spec = client.get("/openapi.json").json()["paths"]["/predict/batch"]["post"]
    assert "application/vnd.apache.arrow.stream" in spec["requestBody"]["content"]
    assert [p["name"] for p in spec["parameters"]] == ["model"]
