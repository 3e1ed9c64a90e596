"""Benchmark: the scoring API's throughput and latency over loopback, for single and batch requests.

Starts the API (uvicorn with its defaults, one process: the registry's champions of a RiskHub data folder, by
default ./data after `riskhub demo`) on a free loopback port, then sends a bounded number of requests with real
feature rows from that warehouse (2,000 sampled clients and transactions, cycled):

- single requests: `--requests` per endpoint over `--concurrency` keep-alive HTTP/1.1 connections, each
  connection sending its next request as soon as its answer is in (closed loop), after 500 warm-up requests;
- batch requests: `--batches` /predict/batch requests of `--batch-rows` rows each, one at a time, for each
  model, in the three body formats: JSON `rows` (one object per row, `batch_<model>`), JSON `columns` (each
  field once with an array of its values, `batch_<model>_columns`) and an Arrow IPC stream of the same
  columns (`batch_<model>_arrow`). Bodies are encoded before the clock starts, as a client would hold them.

The load generator is a lean raw-asyncio HTTP/1.1 client (uvloop when installed) in this process, so on a
small machine it shares the cores with the server: the figures are the server's throughput with that client.
Latency is from writing a request to having read its whole answer. Every answer must be a 200 whose body
is a score (single: the model's output field; batch: one result per row); anything else counts in `errors`.
Prints throughput and latency percentiles; the last line is one JSON object with the figures.

    uv run python benchmarks/bench_api.py [--data-dir data] [--requests 20000] [--concurrency 32]
"""

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
from api_server import api_server

from riskhub_assets.api import arrow

ENDPOINTS = {"default": "/score_default", "churn": "/predict_churn", "anomaly": "/detect_anomaly"}
EXPECTED = {"default": b'"probability_of_default":', "churn": b'"churn_probability":', "anomaly": b'"anomaly_score":'}
"""What a single answer of each endpoint must contain."""


SAMPLED_ROWS = 2000


def latest_clients(con, n: int) -> tuple[object, object]:
    """The latest as-of date and a reproducible sample of up to `n` of its clients' feature rows, drawn after the
    date filter (a sample taken before it keeps only the few rows of that date it happened to draw)."""
    last = con.execute("SELECT max(as_of_date) FROM features.client_features").fetchone()[0]
    clients = con.execute(
        "SELECT * FROM (SELECT * FROM features.client_features WHERE as_of_date = ?)"
        f" USING SAMPLE reservoir({int(n)} ROWS) REPEATABLE (0)",
        [last],
    ).df()
    return last, clients


def _rows(data: Path, n: int) -> dict[str, list[dict]]:
    """Real inputs from the warehouse: latest clients' features and latest transactions' features."""
    import duckdb

    from riskhub_assets.api import request_schemas, serving
    from riskhub_assets.lib import features, settings, tracking

    os.environ["RISKHUB_DATA_DIR"] = str(data)
    tracking.use_store(settings.mlflow_tracking_uri())
    tracking.use_experiment("riskhub")
    columns = {}
    for kind, name in serving.MODEL_NAMES.items():
        version = tracking.champion_version(name)
        if version is None:
            sys.exit(f"no champion {name} in {settings.mlflow_tracking_uri()}: run `riskhub demo` (or train) first")
        columns[kind] = list(request_schemas.signature_columns(name, version))
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        last, clients = latest_clients(con, SAMPLED_ROWS)
        tx = features.transaction_features(con, last, last).sample(SAMPLED_ROWS, replace=True, random_state=0)
    print(f"sampled {clients['client_id'].nunique()} distinct clients of {last}, {len(tx)} transactions")
    rows = {}
    for kind, frame in (("default", clients), ("churn", clients), ("anomaly", tx)):
        picked = frame[columns[kind]].astype(object)
        records = picked.where(picked.notna(), None).to_dict("records")
        for record in records:
            for key, value in record.items():
                if isinstance(value, bool | np.bool_):
                    record[key] = float(value)
                elif isinstance(value, np.integer | np.floating):
                    record[key] = float(value)
        rows[kind] = [records[i % len(records)] for i in range(n)]
    return rows


async def _post(reader, writer, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    return status, await reader.readexactly(length)


async def _load(
    port: int,
    path: str,
    bodies: list[bytes],
    concurrency: int,
    valid: Callable[[bytes], bool],
    content_type: str = "application/json",
) -> tuple[float, np.ndarray, int]:
    """Send every body once over `concurrency` keep-alive connections; wall time, latencies, and the count of
    answers that were not a 200 with a `valid` body."""
    latencies, answers, queue = [], [], list(reversed(bodies))

    async def worker():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while queue:
            body = queue.pop()
            started = time.perf_counter()
            answer = await _post(reader, writer, path, body, content_type)
            latencies.append(time.perf_counter() - started)
            answers.append(answer)
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(concurrency)])
    wall = time.perf_counter() - started
    errors = sum(status != 200 or not valid(content) for status, content in answers)  # checked after the clock
    return wall, np.array(latencies), errors


def _run(coroutine):
    """Run the load generator on uvloop when it is installed (uvicorn[standard] brings it): a leaner client."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def _summary(wall: float, latencies: np.ndarray, errors: int, rows_per_request: int = 1) -> dict:
    ms = latencies * 1000
    return {
        "requests": len(latencies),
        "errors": errors,
        "requests_per_s": round(len(latencies) / wall, 1),
        "rows_per_s": round(len(latencies) * rows_per_request / wall, 1),
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
    }


JSON, ARROW = "application/json", "application/vnd.apache.arrow.stream"


def _batch_answered(content: bytes, kind: str, rows: int) -> bool:
    answer = json.loads(content)
    key = EXPECTED[kind].strip(b'":').decode()
    return answer["rows"] == rows == len(answer["results"]) and all(key in r for r in answer["results"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--requests", type=int, default=20_000, help="single requests per model")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--batch-rows", type=int, default=10_000)
    parser.add_argument("--batches", type=int, default=10)
    args = parser.parse_args()
    data = args.data_dir.resolve()
    rows = _rows(data, max(args.requests, args.batch_rows))
    with api_server(data) as port:
        figures = {}
        for kind, path in ENDPOINTS.items():
            bodies = [json.dumps(r).encode() for r in rows[kind][: args.requests]]
            valid = lambda content, key=EXPECTED[kind]: key in content  # noqa: E731
            _run(_load(port, path, bodies[:500], args.concurrency, valid))  # warm-up
            figures[f"single_{kind}"] = _summary(*_run(_load(port, path, bodies, args.concurrency, valid)))
            print(f"single {kind:<8} {figures[f'single_{kind}']}")
        for kind in ENDPOINTS:
            batch = rows[kind][: args.batch_rows]
            columns = {c: [r[c] for r in batch] for c in batch[0]}
            bodies = {  # path, content type, body
                f"batch_{kind}": ("/predict/batch", JSON, json.dumps({"model": kind, "rows": batch}).encode()),
                f"batch_{kind}_columns": (
                    "/predict/batch",
                    JSON,
                    json.dumps({"model": kind, "columns": columns}).encode(),
                ),
                f"batch_{kind}_arrow": (f"/predict/batch?model={kind}", ARROW, arrow.stream(pa.table(columns))),
            }
            valid = lambda content, kind=kind: _batch_answered(content, kind, args.batch_rows)  # noqa: E731
            for name, (path, content_type, body) in bodies.items():
                _run(_load(port, path, [body], 1, valid, content_type))  # warm-up
                result = _run(_load(port, path, [body] * args.batches, 1, valid, content_type))
                figures[name] = _summary(*result, rows_per_request=args.batch_rows)
                print(f"{name:<22} {figures[name]}")
    print(
        json.dumps(
            {
                **figures,
                "cores": os.cpu_count(),
                "targets": {"single_requests_per_s": 1000, "single_p99_ms": 50, "batch_rows_per_s": 100_000},
            }
        )
    )


if __name__ == "__main__":
    main()
