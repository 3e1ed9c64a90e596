"""Benchmark: next-best-product recommendations against the popularity baseline and the truth, and their latency.

1. Simulates a bank (default 10,000 clients over 200 days), loads it (the first day, then the rest in one Dagster run)
   and trains `models/product_recommender`: settings chosen on one 30-day window, then precision@5 measured on
   the take-ups of the last 30 days, which the model never saw, beside the most-held products (the popularity
   baseline) and the products most taken up lately (a stronger baseline).
2. The oracle on the same clients and window: products ranked by the simulator's true take-up rates (hidden
   tastes and manager skill; the card, loan and savings rates are the simulator's constants at an average client).
3. Latency of GET /recommend/products/{client_id} over loopback, if a data folder with a published BI database
   and a champion recommender is given (default ./data after `riskhub demo`): sequential requests on one
   keep-alive connection, so each figure is one answer's full round trip.

    uv run python benchmarks/bench_recommend.py [--clients 10000] [--days 200] [--seed 7] [--api-data-dir data]
        [--latency-only]

The last line is one JSON object with the figures.
"""

import argparse
import asyncio
import datetime as dt
import glob
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from api_server import api_server
from simulation import simulate

START = dt.date(2025, 1, 1)
HORIZON = 30
MONTHLY_ACCOUNT_TAKE_UP = {"credit_card": 2e-4 * 30, "personal_loan": 2.5e-4 * 30, "savings_account": 1.5e-4 * 30}
"""The simulator's daily take-up rates of products held as accounts (daily.py `_take_products`), per month."""


def _oracle(data: Path, as_of: dt.date, last: dt.date) -> dict:
    """Precision@5 of ranking each client's products by the simulator's true take-up rates."""
    import duckdb

    from riskhub_assets.lib import recommendations, settings
    from riskhub_assets.ml.recommend import ranking_metrics
    from riskhub_assets.simulator.codes import PRODUCT_SYSTEM_PRODUCTS
    from riskhub_assets.simulator.commercial import AFFINITY, PERSONAS, SKILL_EFFECT

    personas = pd.concat(pd.read_csv(f) for f in sorted(glob.glob(f"{data}/truth/*/personas.csv")))
    persona = personas.set_index("client_id")["persona"].map(list(PERSONAS).index)
    skill = pd.read_csv(data / "truth" / as_of.isoformat() / "managers.csv").set_index("manager_id")["sales_skill"]
    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        now = recommendations.holdings_matrix(con, as_of)
        manager = con.execute("SELECT client_id, manager_id FROM warehouse.dim_client").df()
        adopted = recommendations.adoptions(con, as_of, last, now)
    lift = np.exp(SKILL_EFFECT * now.index.map(manager.set_index("client_id")["manager_id"]).map(skill).to_numpy(float))
    rate = pd.DataFrame(0.0, index=now.index, columns=now.columns)
    for j, product in enumerate(PRODUCT_SYSTEM_PRODUCTS):
        rate[product] = AFFINITY[now.index.map(persona).to_numpy(int), j] * lift
    for product, monthly in MONTHLY_ACCOUNT_TAKE_UP.items():
        rate[product] = monthly
    scores = rate.where(now == 0, -1.0).to_numpy()
    top = np.argsort(-scores, axis=1, kind="stable")[:, :5]
    lists = pd.DataFrame(
        {
            "client": np.repeat(now.index, 5),
            "product": now.columns.to_numpy()[top.ravel()],
            "rank": np.tile(np.arange(1, 6), len(now)),
        }
    )
    return ranking_metrics(lists, adopted, list(now.columns), np.zeros((len(now.columns),) * 2), 5)


async def _get(port: int, paths: list[str]) -> np.ndarray:
    """Send the GETs one after another on one keep-alive connection; each one's round-trip seconds."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    latencies = []
    for path in paths:
        started = time.perf_counter()
        writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if int(head.split(b" ", 2)[1]) != 200:
            raise RuntimeError(f"{path} answered {head.splitlines()[0].decode()}")
        length = next(int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length"))
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
    writer.close()
    return np.array(latencies)


def _latency(data: Path, requests: int) -> dict:
    """p50/p95/p99 of /recommend/products over loopback against the API serving `data`."""
    import duckdb

    from riskhub_assets.lib.publish import BI_DATABASE

    with duckdb.connect(str(data / "bi" / BI_DATABASE), read_only=True) as con:
        clients = [c for (c,) in con.execute("SELECT client_id FROM dims.client ORDER BY hash(client_id)").fetchall()]
    with api_server(data) as port:
        paths = [f"/recommend/products/{clients[i % len(clients)]}?n=5" for i in range(requests)]
        asyncio.run(_get(port, paths[:100]))  # warm-up: the first call loads the published holdings
        ms = asyncio.run(_get(port, paths)) * 1000
    return {f"p{q}_ms": round(float(np.percentile(ms, q)), 2) for q in (50, 95, 99)} | {"requests": requests}


def _arguments() -> argparse.Namespace:
    """The bank's size and seed, and the published data folder whose API latency is measured."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7, help="the simulator's seed: a result should hold on several")
    parser.add_argument("--api-data-dir", type=Path, default=Path("data"))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--latency-only", action="store_true", help="skip the simulation and quality figures")
    return parser.parse_args()


def _load_bank(args: argparse.Namespace, end: dt.date) -> Path:
    """A simulated bank from START to `end`, loaded in a new data folder (returned)."""
    data = Path(tempfile.mkdtemp(prefix="riskhub-bench-recommend-")) / "data"
    os.environ.update(RISKHUB_DATA_DIR=str(data), DAGSTER_HOME=str(data / "dagster"))
    (data / "dagster").mkdir(parents=True)
    simulate(data, START, end, args.clients, tx_per_client=1.0, seed=args.seed)
    from riskhub_assets.definitions import build_defs
    from riskhub_assets.orchestration.runs import run_business_days

    assert run_business_days(build_defs(), START, START).success
    assert run_business_days(build_defs(), START + dt.timedelta(days=1), end).success
    return data


def _train_recommender() -> tuple[pd.Series, float]:
    """The recommender's MLflow training run (its choice and out-of-time metrics) and the training's seconds."""
    import dagster as dg
    import mlflow

    from riskhub_assets.defs.insights import product_recommender
    from riskhub_assets.lib import settings, tracking
    from riskhub_assets.lib.model_specs import RECOMMENDER
    from riskhub_assets.orchestration.resources import resources_for

    started = time.perf_counter()
    config = {"ops": {"models__product_recommender": {"config": {"horizon_days": HORIZON}}}}
    trained = dg.materialize(
        [product_recommender],
        resources=resources_for("local"),
        run_config=config,
    )
    training_s = time.perf_counter() - started
    assert trained.success
    tracking.use_store(settings.mlflow_tracking_uri())
    run = mlflow.search_runs(experiment_names=["riskhub"], filter_string=f"run_name = '{RECOMMENDER}'").iloc[0]
    return run, training_s


def _family_figures(run: pd.Series) -> dict[str, dict[str, float]]:
    """Each candidate family's out-of-time ranking figures, as the training run logged them."""
    return {
        family: {k: round(float(run[f"metrics.oot_{family}_{k}"]), 4) for k in (
            "precision_at_5", "recall_at_5", "catalogue_coverage", "intra_list_diversity", "adopters"
        )}
        for family in ("svd", "item_knn", "popularity", "trending")
    }  # fmt: skip


def main() -> None:
    args = _arguments()
    if args.latency_only:
        print(json.dumps({"latency": _latency(args.api_data_dir.resolve(), args.requests)}))
        return
    api_data = args.api_data_dir.resolve()
    data = _load_bank(args, START + dt.timedelta(days=args.days - 1))
    run, training_s = _train_recommender()
    chosen, figures = run["params.method"], _family_figures(run)
    last = pd.Timestamp(run["params.evaluated_on"]).date() + dt.timedelta(days=HORIZON)
    oracle = _oracle(data, last - dt.timedelta(days=HORIZON), last)
    top = figures[chosen]["precision_at_5"]
    result = {
        "chosen": chosen,
        "precision_at_5": top,
        "popularity_precision_at_5": figures["popularity"]["precision_at_5"],
        "ratio_to_popularity": round(top / figures["popularity"]["precision_at_5"], 3),
        "ratio_to_trending": round(top / figures["trending"]["precision_at_5"], 3),
        "oracle_precision_at_5": round(oracle["precision_at_5"], 4),
        "share_of_oracle": round(top / oracle["precision_at_5"], 3),
        "families": figures,
        "clients": args.clients,
        "seed": args.seed,
        "training_s": round(training_s, 1),
    }
    for family, values in figures.items():
        print(f"{family:<10} {values}")
    print(f"oracle     {oracle}")
    if (api_data / "bi").exists():
        result["latency"] = _latency(api_data, args.requests)
        print(f"GET /recommend/products latency: {result['latency']}")
    else:
        print(f"no published BI database under {api_data}: latency not measured (run `riskhub demo` first)")
    result["targets"] = {"ratio_to_popularity": 1.5, "latency_p99_ms": 50}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
