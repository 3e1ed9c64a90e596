"""Benchmark: how close the models come to the simulator's truth, and how fast they train and score.

1. Simulates a bank (default 10,000 clients over 300 days), loads it (the first day, then the rest in one Dagster run),
   runs the weekly training job and times it: the target's figure is its steps that train the three risk models
   (labels, default, churn, anomaly) on the latest 90 days of labelled as-of dates; the job's whole time is beside it.
2. Out of time, on the validation rows the training itself held out: the default and churn models' AUC beside the
   AUC of the simulator's true probabilities (the best achievable); the anomaly model's precision at the daily
   alert budget, averaged over the 14 days after training, beside flagging the largest amounts.
3. Simulates one day of N transactions (default 1,000,000, 20,000 clients) and times its daily scoring (features and
   the three score tables) with the trained champions, then its reporting (KPI marts, report, BI database) and the
   share of the whole daily run spent publishing the BI database.
The last line is one JSON object with the figures.

    uv run python benchmarks/bench_models.py
"""

import argparse
import datetime as dt
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from mlflow import MlflowClient
from simulation import simulate

from riskhub_assets.lib.training import WINDOW_DAYS

END = dt.date(2025, 10, 27)
ALERT_BUDGET = 200
ANOMALY_DAYS = 14
RISK_TRAINING_STEPS = [
    "features__client_labels",
    "models__default_model",
    "models__churn_model",
    "models__anomaly_model",
]
"""The weekly job's steps that train the three risk models (the target's "training"); the job also trains the
customer-insight models."""
"""Days after training over which the anomaly precision is averaged: one day holds too few frauds."""


def _use(data: Path) -> None:
    os.environ.update(RISKHUB_DATA_DIR=str(data), DAGSTER_HOME=str(data / "dagster"))
    (data / "dagster").mkdir(parents=True, exist_ok=True)


def _truth(data: Path, dates, column: str) -> pd.DataFrame:
    frames = [
        pd.read_csv(data / "truth" / d.isoformat() / "clients.csv").assign(as_of_date=pd.Timestamp(d)) for d in dates
    ]
    return pd.concat(frames)[["as_of_date", "client_id", column]]


def _share_interval(y, predicted, oracle, clients, resamples: int = 200) -> tuple[float, float]:
    """90% interval of the model's share of the oracle AUC, resampling clients (a client's rows move together)."""
    from riskhub_assets.ml import metrics

    rng = np.random.default_rng(0)
    codes, index = np.unique(clients, return_inverse=True)
    rows_of = np.split(np.argsort(index, kind="stable"), np.cumsum(np.bincount(index))[:-1])
    shares = []
    for _ in range(resamples):
        rows = np.concatenate([rows_of[c] for c in rng.integers(0, len(codes), len(codes))])
        if 0 < y[rows].sum() < len(rows):
            shares.append(metrics.auc(y[rows], predicted[rows]) / metrics.auc(y[rows], oracle[rows]))
    return float(np.percentile(shares, 5)), float(np.percentile(shares, 95))


def _oot_auc(spec, data: Path, truth_column: str) -> dict:
    """The champion's and the truth's AUC on the out-of-time rows of the training split."""
    import duckdb

    from riskhub_assets.lib import settings, tracking, training
    from riskhub_assets.ml import metrics

    with duckdb.connect(str(settings.duckdb_path()), read_only=True) as con:
        frame = training.labelled_frame(con, spec.population)
    test = training.oot_split(frame).test
    tracking.use_store(settings.mlflow_tracking_uri())
    tracking.use_experiment("riskhub")
    champion = tracking.champion_version(spec.name)
    version = champion or MlflowClient().get_model_version_by_alias(spec.name, tracking.CHALLENGER).version
    model = tracking.load_version(spec.name, version)
    y = test[spec.label].to_numpy(int)
    truth = test[training.KEYS].merge(
        _truth(data, sorted(test["as_of_date"].dt.date.unique()), truth_column), on=training.KEYS, how="left"
    )
    known = truth[truth_column].notna().to_numpy()
    predicted = model.predict_proba(test[training.feature_columns(frame)])[known, 1]
    oracle = truth[truth_column].to_numpy(float)[known]
    model_auc, oracle_auc = metrics.auc(y[known], predicted), metrics.auc(y[known], oracle)
    low, high = _share_interval(y[known], predicted, oracle, test["client_id"].to_numpy()[known])
    return {
        "model_auc": round(model_auc, 4),
        "oracle_auc": round(oracle_auc, 4),
        "share_of_oracle": round(model_auc / oracle_auc, 4),
        "share_90pct_interval": [round(low, 4), round(high, 4)],
        "oot_rows": int(known.sum()),
        "oot_events": int(y[known].sum()),
        "model_version": version,
        "champion": champion is not None,
    }


def _anomaly_precision(data: Path, days: list[dt.date]) -> dict:
    """Precision at the daily alert budget, averaged over days: the champion anomaly model against the largest amounts."""
    import duckdb

    from riskhub_assets.lib import features, settings, tracking
    from riskhub_assets.ml import metrics

    tracking.use_store(settings.mlflow_tracking_uri())
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
    parser.add_argument(
        "--reuse-history",
        action="store_true",
        help="start from the loaded history an earlier run kept in --workdir (same --clients and --days, and no change"
        " to the simulator or the features since), with a new MLflow store: skips the simulation and the load",
    )
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="riskhub-bench-models-"))
    history, scoring_day = work / "history", work / "scoring-day"
    os.environ.setdefault("RISKHUB_PSEUDONYMISATION_KEY", "benchmark-key")
    start = END - dt.timedelta(days=args.days - 1)

    after = [END + dt.timedelta(days=i) for i in range(1, ANOMALY_DAYS + 1)]
    loaded = work / "history-loaded.duckdb"  # the history as loaded, before training and the days after it
    if args.reuse_history:
        shutil.rmtree(scoring_day, ignore_errors=True)
        (history / "mlflow.db").unlink(missing_ok=True)
        shutil.rmtree(history / "mlartifacts", ignore_errors=True)
        shutil.copyfile(loaded, history / "riskhub.duckdb")
    else:
        simulate(history, start, after[-1], args.clients, 2.5)
    _use(history)
    from riskhub_assets.definitions import build_defs
    from riskhub_assets.lib.model_specs import CHURN, DEFAULT
    from riskhub_assets.orchestration.runs import run_business_days, run_job

    load_s = None  # reused
    if not args.reuse_history:
        started = time.perf_counter()
        assert run_business_days(build_defs(), start, start).success
        assert run_business_days(build_defs(), start + dt.timedelta(days=1), END).success
        load_s = round(time.perf_counter() - started, 1)
        shutil.copyfile(history / "riskhub.duckdb", loaded)
    import dagster as dg

    training_instance = dg.DagsterInstance.ephemeral()
    started = time.perf_counter()
    training_run = run_job(build_defs(), "weekly_training", training_instance)
    training_s = time.perf_counter() - started
    assert training_run.success, "weekly training failed"
    training_steps = {
        s.step_key: round(s.end_time - s.start_time, 1)
        for s in training_instance.get_run_step_stats(training_run.run_id)
    }
    risk_training_s = sum(training_steps[step] for step in RISK_TRAINING_STEPS)
    figures = {
        "default": _oot_auc(DEFAULT, history, "default_probability_90d"),
        "churn": _oot_auc(CHURN, history, "churn_probability_90d"),
    }
    assert run_business_days(build_defs(), after[0], after[-1]).success  # days the anomaly model has never seen
    figures["anomaly"] = _anomaly_precision(history, after)

    # Daily scoring of one large day with the champions trained above (their MLflow store is shared).
    os.environ["RISKHUB_MLFLOW_TRACKING_URI"] = f"sqlite:///{history / 'mlflow.db'}"
    day = after[-1] + dt.timedelta(days=1)
    clients = args.scoring_transactions // 50
    simulate(scoring_day, day, day, clients, args.scoring_transactions / clients)
    _use(scoring_day)
    defs = build_defs()
    started = time.perf_counter()
    assert run_business_days(defs, day, day).success  # load the day: the spine has its own benchmark
    spine_s = time.perf_counter() - started
    scoring = dg.AssetSelection.groups("scoring") | (
        dg.AssetSelection.groups("features") - dg.AssetSelection.assets(["features", "client_labels"])
    )
    bench_defs = dg.Definitions.merge(defs, dg.Definitions(jobs=[dg.define_asset_job("bench_scoring", scoring)]))
    instance = dg.DagsterInstance.ephemeral()
    started = time.perf_counter()
    scoring_run = run_business_days(bench_defs, day, day, instance, job="bench_scoring")
    scoring_s = time.perf_counter() - started
    steps = {s.step_key: round(s.end_time - s.start_time, 2) for s in instance.get_run_step_stats(scoring_run.run_id)}
    assert run_business_days(defs, day, day, instance, job="daily_reporting").success  # first publish: a new file
    started = time.perf_counter()
    reporting_run = run_business_days(defs, day, day, instance, job="daily_reporting")  # as every night after
    reporting_s = time.perf_counter() - started
    reporting_steps = {
        s.step_key: round(s.end_time - s.start_time, 2) for s in instance.get_run_step_stats(reporting_run.run_id)
    }
    publish_s = reporting_steps["reporting__bi_database"]
    daily_s = spine_s + scoring_s + reporting_s

    print(
        f"history {start}..{END}: {args.clients} clients, loaded in {load_s} s; weekly training {training_s:.0f} s,"
        f" of which the risk models {risk_training_s:.0f} s on the latest {WINDOW_DAYS} days of labelled as-of dates;"
        f" steps {training_steps}"
    )
    for model, figure in figures.items():
        print(f"{model:<8} {figure}")
    print(
        f"scoring a {args.scoring_transactions:,}-transaction day ({clients:,} clients): {scoring_s:.1f} s wall for"
        f" features and the three score tables (success {scoring_run.success}); steps {steps}"
    )
    print(
        f"reporting (marts, report, BI database) {reporting_s:.1f} s; publishing the BI database {publish_s:.2f} s ="
        f" {publish_s / daily_s:.1%} of the day's whole run ({daily_s:.1f} s: load {spine_s:.1f} s, scoring"
        f" {scoring_s:.1f} s, reporting {reporting_s:.1f} s); steps {reporting_steps}"
    )
    print(
        json.dumps(
            {
                **figures,
                "training_s": round(risk_training_s, 1),
                "training_window_days": WINDOW_DAYS,
                "weekly_training_job_s": round(training_s, 1),
                "training_steps_s": training_steps,
                "history_load_s": load_s,
                "scoring": {
                    "transactions": args.scoring_transactions,
                    "clients": clients,
                    "wall_s": round(scoring_s, 1),
                    "steps_s": steps,
                    "success": scoring_run.success,
                },
                "publishing": {
                    "daily_run_s": round(daily_s, 1),
                    "reporting_s": round(reporting_s, 1),
                    "bi_database_s": publish_s,
                    "share_of_daily_run": round(publish_s / daily_s, 4),
                    "success": reporting_run.success,
                },
                "targets": {
                    "share_of_oracle": 0.95,
                    "anomaly_ratio": 2,
                    "training_s": 180,
                    "scoring_wall_s": 20,
                    "publish_share": 0.10,
                },
            }
        )
    )


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
