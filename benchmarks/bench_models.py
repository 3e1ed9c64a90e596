"""Benchmark: how close the models come to the simulator's truth, and how fast they train and score.

1. Simulates a bank (default 10,000 clients over 300 days), loads it (first day through Dagster, the rest in bulk),
   runs the weekly training job and times it.
2. Out of time, on the validation rows the training itself held out: the default and churn models' AUC beside the
   AUC of the simulator's true probabilities (the best achievable); the anomaly model's precision at the daily
   alert budget, averaged over the 14 days after training, beside flagging the largest amounts.
3. Simulates one day of N transactions (default 1,000,000, 20,000 clients) and times its daily scoring (features and
   the three score tables) with the trained champions.
The last line is one JSON object with the figures.

    uv run python benchmarks/bench_models.py
"""

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

END = dt.date(2025, 10, 27)
ALERT_BUDGET = 200
ANOMALY_DAYS = 14
"""Days after training over which the anomaly precision is averaged: one day holds too few frauds."""


def _simulate(out: Path, start: dt.date, end: dt.date, clients: int, tx_per_client: float) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "riskhub_assets.cli",
            "simulate",
            "--start",
            start.isoformat(),
            "--end",
            end.isoformat(),
            "--clients",
            str(clients),
            "--tx-per-client",
            str(tx_per_client),
            "--out",
            str(out),
        ],
        check=True,
    )


def _use(data: Path) -> None:
    os.environ.update(RISKHUB_DATA_DIR=str(data), DAGSTER_HOME=str(data / "dagster"))
    (data / "dagster").mkdir(parents=True, exist_ok=True)


def _truth(data: Path, dates, column: str) -> pd.DataFrame:
    frames = [
        pd.read_csv(data / "truth" / d.isoformat() / "clients.csv").assign(as_of_date=pd.Timestamp(d)) for d in dates
    ]
    return pd.concat(frames)[["as_of_date", "client_id", column]]


def _oot_auc(spec, data: Path, truth_column: str) -> dict:
    """The champion's and the truth's AUC on the out-of-time rows of the training split."""
    import duckdb

    from riskhub_assets.lib import settings, tracking, training
    from riskhub_assets.ml import metrics

    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        frame = training.labelled_frame(con, spec.population)
    test = training.oot_split(frame).test
    tracking.use_experiment("riskhub")
    version = tracking.champion_version(spec.name)
    model = tracking.load_version(spec.name, version)
    y = test[spec.label].to_numpy(int)
    truth = test[training.KEYS].merge(
        _truth(data, sorted(test["as_of_date"].dt.date.unique()), truth_column), on=training.KEYS, how="left"
    )
    known = truth[truth_column].notna().to_numpy()
    model_auc = metrics.auc(y[known], model.predict_proba(test[training.feature_columns(frame)])[known, 1])
    oracle_auc = metrics.auc(y[known], truth[truth_column].to_numpy(float)[known])
    return {
        "model_auc": round(model_auc, 4),
        "oracle_auc": round(oracle_auc, 4),
        "share_of_oracle": round(model_auc / oracle_auc, 4),
        "oot_rows": int(known.sum()),
        "oot_events": int(y[known].sum()),
        "model_version": version,
    }


def _anomaly_precision(data: Path, days: list[dt.date]) -> dict:
    """Precision at the daily alert budget, averaged over days: the champion anomaly model against the largest amounts."""
    import duckdb

    from riskhub_assets.lib import features, settings, tracking
    from riskhub_assets.ml import metrics

    model = tracking.load_version("riskhub_anomaly_model", tracking.champion_version("riskhub_anomaly_model"))
    model_precision, largest_precision, fraud, transactions = [], [], 0, 0
    for day in days:
        with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
            frame = features.transaction_features(con, day, day)
        planted = set(pd.read_csv(data / "truth" / day.isoformat() / "fraud.csv")["transaction_id"])
        y = frame["transaction_id"].isin(planted).to_numpy(int)
        scores = model.score_samples(frame.drop(columns=features.TRANSACTION_KEYS))
        model_precision.append(metrics.precision_at_budget(y, scores, ALERT_BUDGET))
        largest_precision.append(metrics.precision_at_budget(y, frame["amount"].to_numpy(float), ALERT_BUDGET))
        fraud, transactions = fraud + int(y.sum()), transactions + len(frame)
    model_mean, largest_mean = float(np.mean(model_precision)), float(np.mean(largest_precision))
    return {
        "precision_at_budget": round(model_mean, 4),
        "largest_amounts_precision": round(largest_mean, 4),
        "ratio": round(model_mean / max(largest_mean, 1e-9), 2),
        "budget": ALERT_BUDGET,
        "days": len(days),
        "transactions": transactions,
        "fraud": fraud,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=10000)
    parser.add_argument("--days", type=int, default=300)
    parser.add_argument("--scoring-transactions", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="riskhub-bench-models-"))
    history, scoring_day = work / "history", work / "scoring-day"
    os.environ.setdefault("RISKHUB_PSEUDONYMISATION_KEY", "benchmark-key")
    start = END - dt.timedelta(days=args.days - 1)

    after = [END + dt.timedelta(days=i) for i in range(1, ANOMALY_DAYS + 1)]
    _simulate(history, start, after[-1], args.clients, 2.5)
    _use(history)
    from riskhub_assets.definitions import build_defs
    from riskhub_assets.defs.automation import bulk_materialise, run_business_days, run_job
    from riskhub_assets.defs.models import CHURN, DEFAULT

    started = time.perf_counter()
    assert run_business_days(build_defs(), start, start).success
    bulk_materialise(build_defs(), start + dt.timedelta(days=1), END)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    training_run = run_job(build_defs(), "weekly_training")
    training_s = time.perf_counter() - started
    assert training_run.success, "weekly training failed"
    figures = {
        "default": _oot_auc(DEFAULT, history, "default_probability_90d"),
        "churn": _oot_auc(CHURN, history, "churn_probability_90d"),
    }
    bulk_materialise(build_defs(), after[0], after[-1])  # days the anomaly model has never seen
    figures["anomaly"] = _anomaly_precision(history, after)

    # Daily scoring of one large day with the champions trained above (their MLflow store is shared).
    os.environ["RISKHUB_MLFLOW_TRACKING_URI"] = f"sqlite:///{history / 'mlflow.db'}"
    day = after[-1] + dt.timedelta(days=1)
    clients = args.scoring_transactions // 50
    _simulate(scoring_day, day, day, clients, args.scoring_transactions / clients)
    _use(scoring_day)
    import dagster as dg

    defs = build_defs()
    assert run_business_days(defs, day, day).success  # load the day (not timed): the spine has its own benchmark
    scoring = dg.AssetSelection.groups("scoring") | (
        dg.AssetSelection.groups("features") - dg.AssetSelection.assets(["features", "client_labels"])
    )
    bench_defs = dg.Definitions.merge(defs, dg.Definitions(jobs=[dg.define_asset_job("bench_scoring", scoring)]))
    instance = dg.DagsterInstance.ephemeral()
    started = time.perf_counter()
    scoring_run = run_business_days(bench_defs, day, day, instance, job="bench_scoring")
    scoring_s = time.perf_counter() - started
    steps = {s.step_key: round(s.end_time - s.start_time, 2) for s in instance.get_run_step_stats(scoring_run.run_id)}

    print(f"history {start}..{END}: {args.clients} clients, loaded in {load_s:.0f} s; training {training_s:.0f} s")
    for model, figure in figures.items():
        print(f"{model:<8} {figure}")
    print(
        f"scoring a {args.scoring_transactions:,}-transaction day ({clients:,} clients): {scoring_s:.1f} s wall for"
        f" features and the three score tables (success {scoring_run.success}); steps {steps}"
    )
    print(
        json.dumps(
            {
                **figures,
                "training_s": round(training_s, 1),
                "history_load_s": round(load_s, 1),
                "scoring": {
                    "transactions": args.scoring_transactions,
                    "clients": clients,
                    "wall_s": round(scoring_s, 1),
                    "steps_s": steps,
                    "success": scoring_run.success,
                },
                "targets": {"share_of_oracle": 0.95, "anomaly_ratio": 2, "training_s": 180, "scoring_wall_s": 20},
            }
        )
    )


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
