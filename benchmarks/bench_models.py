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
from model_quality import anomaly_precision, oot_auc
from simulation import simulate

from riskhub_assets.lib.training import WINDOW_DAYS

END = dt.date(2025, 10, 27)
ANOMALY_DAYS = 14
"""Days after training over which the anomaly precision is averaged: one day holds too few frauds."""
RISK_TRAINING_STEPS = [
    "features__client_labels",
    "models__default_model",
    "models__churn_model",
    "models__anomaly_model",
]
"""The weekly job's steps that train the three risk models (the target's "training"); the job also trains the
customer-insight models."""


def _use(data: Path) -> None:
    os.environ.update(RISKHUB_DATA_DIR=str(data), DAGSTER_HOME=str(data / "dagster"))
    (data / "dagster").mkdir(parents=True, exist_ok=True)


def _arguments() -> argparse.Namespace:
    """The bank's size, the scoring day's size, and where the benchmark works."""
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
    return parser.parse_args()


def _load_history(args: argparse.Namespace, work: Path, start: dt.date, last: dt.date) -> float | None:
    """The history loaded up to END, or the copy an earlier run kept; the load's seconds, None when reused."""
    history, loaded = work / "history", work / "history-loaded.duckdb"  # as loaded, before training and after days
    if args.reuse_history:
        shutil.rmtree(work / "scoring-day", ignore_errors=True)
        (history / "mlflow.db").unlink(missing_ok=True)
        shutil.rmtree(history / "mlartifacts", ignore_errors=True)
        shutil.copyfile(loaded, history / "riskhub.duckdb")
    else:
        simulate(history, start, last, args.clients, 2.5)
    _use(history)
    from riskhub_assets.definitions import build_defs
    from riskhub_assets.orchestration.runs import run_business_days

    if args.reuse_history:
        return None
    started = time.perf_counter()
    assert run_business_days(build_defs(), start, start).success
    assert run_business_days(build_defs(), start + dt.timedelta(days=1), END).success
    load_s = round(time.perf_counter() - started, 1)
    shutil.copyfile(history / "riskhub.duckdb", loaded)
    return load_s


def _train() -> dict:
    """The weekly training job's wall seconds, its steps' seconds, and those of the steps training the risk models."""
    import dagster as dg

    from riskhub_assets.definitions import build_defs
    from riskhub_assets.orchestration.runs import run_job

    instance = dg.DagsterInstance.ephemeral()
    started = time.perf_counter()
    run = run_job(build_defs(), "weekly_training", instance)
    wall_s = time.perf_counter() - started
    assert run.success, "weekly training failed"
    steps = {s.step_key: round(s.end_time - s.start_time, 1) for s in instance.get_run_step_stats(run.run_id)}
    return {"wall_s": wall_s, "steps": steps, "risk_models_s": sum(steps[step] for step in RISK_TRAINING_STEPS)}


def _quality(history: Path, after: list[dt.date]) -> dict:
    """The default and churn models against the truth out of time; the anomaly model on the days after training."""
    from riskhub_assets.definitions import build_defs
    from riskhub_assets.lib.model_specs import CHURN, DEFAULT
    from riskhub_assets.orchestration.runs import run_business_days

    figures = {
        "default": oot_auc(DEFAULT, history, "default_probability_90d"),
        "churn": oot_auc(CHURN, history, "churn_probability_90d"),
    }
    assert run_business_days(build_defs(), after[0], after[-1]).success  # days the anomaly model has never seen
    figures["anomaly"] = anomaly_precision(history, after)
    return figures


def _daily_run(args: argparse.Namespace, work: Path, day: dt.date) -> dict:
    """One large day loaded, scored with the champions trained on the history, and reported, each timed."""
    import dagster as dg

    from riskhub_assets.definitions import build_defs
    from riskhub_assets.orchestration.runs import run_business_days

    os.environ["RISKHUB_MLFLOW_TRACKING_URI"] = f"sqlite:///{work / 'history' / 'mlflow.db'}"  # shared MLflow store
    clients = args.scoring_transactions // 50
    simulate(work / "scoring-day", day, day, clients, args.scoring_transactions / clients)
    _use(work / "scoring-day")
    defs = build_defs()
    started = time.perf_counter()
    assert run_business_days(defs, day, day).success  # load the day: the spine has its own benchmark
    spine_s = time.perf_counter() - started
    scoring = dg.AssetSelection.groups("scores") | (
        dg.AssetSelection.groups("features") - dg.AssetSelection.assets(["features", "client_labels"])
    )
    bench_defs = dg.Definitions.merge(defs, dg.Definitions(jobs=[dg.define_asset_job("bench_scoring", scoring)]))
    instance = dg.DagsterInstance.ephemeral()
    started = time.perf_counter()
    scoring_run = run_business_days(bench_defs, day, day, instance, job="bench_scoring")
    scoring_s = time.perf_counter() - started
    scoring_steps = {
        s.step_key: round(s.end_time - s.start_time, 2) for s in instance.get_run_step_stats(scoring_run.run_id)
    }
    assert run_business_days(defs, day, day, instance, job="daily_reporting").success  # first publish: a new file
    started = time.perf_counter()
    reporting_run = run_business_days(defs, day, day, instance, job="daily_reporting")  # as every night after
    reporting_s = time.perf_counter() - started
    reporting_steps = {
        s.step_key: round(s.end_time - s.start_time, 2) for s in instance.get_run_step_stats(reporting_run.run_id)
    }
    return {
        "clients": clients,
        "spine_s": spine_s,
        "scoring_s": scoring_s,
        "scoring_steps": scoring_steps,
        "scoring_success": scoring_run.success,
        "reporting_s": reporting_s,
        "reporting_steps": reporting_steps,
        "reporting_success": reporting_run.success,
        "publish_s": reporting_steps["reporting__bi_database"],
        "daily_s": spine_s + scoring_s + reporting_s,
    }


def _print_summary(
    args: argparse.Namespace, start: dt.date, load_s: float | None, training: dict, figures: dict, daily: dict
) -> None:
    """The figures in words, one line per stage and model."""
    print(
        f"history {start}..{END}: {args.clients} clients, loaded in {load_s} s; weekly training"
        f" {training['wall_s']:.0f} s, of which the risk models {training['risk_models_s']:.0f} s on the latest"
        f" {WINDOW_DAYS} days of labelled as-of dates; steps {training['steps']}"
    )
    for model, figure in figures.items():
        print(f"{model:<8} {figure}")
    print(
        f"scoring a {args.scoring_transactions:,}-transaction day ({daily['clients']:,} clients):"
        f" {daily['scoring_s']:.1f} s wall for features and the three score tables (success"
        f" {daily['scoring_success']}); steps {daily['scoring_steps']}"
    )
    publish_s, daily_s = daily["publish_s"], daily["daily_s"]
    print(
        f"reporting (marts, report, BI database) {daily['reporting_s']:.1f} s; publishing the BI database"
        f" {publish_s:.2f} s = {publish_s / daily_s:.1%} of the day's whole run ({daily_s:.1f} s: load"
        f" {daily['spine_s']:.1f} s, scoring {daily['scoring_s']:.1f} s, reporting {daily['reporting_s']:.1f} s);"
        f" steps {daily['reporting_steps']}"
    )


def _figures_json(args: argparse.Namespace, load_s: float | None, training: dict, figures: dict, daily: dict) -> str:
    """The figures and the targets as one JSON object, the benchmark's last line."""
    return json.dumps(
        {
            **figures,
            "training_s": round(training["risk_models_s"], 1),
            "training_window_days": WINDOW_DAYS,
            "weekly_training_job_s": round(training["wall_s"], 1),
            "training_steps_s": training["steps"],
            "history_load_s": load_s,
            "scoring": {
                "transactions": args.scoring_transactions,
                "clients": daily["clients"],
                "wall_s": round(daily["scoring_s"], 1),
                "steps_s": daily["scoring_steps"],
                "success": daily["scoring_success"],
            },
            "publishing": {
                "daily_run_s": round(daily["daily_s"], 1),
                "reporting_s": round(daily["reporting_s"], 1),
                "bi_database_s": daily["publish_s"],
                "share_of_daily_run": round(daily["publish_s"] / daily["daily_s"], 4),
                "success": daily["reporting_success"],
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


def main() -> None:
    args = _arguments()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="riskhub-bench-models-"))
    os.environ.setdefault("RISKHUB_PSEUDONYMISATION_KEY", "benchmark-key")
    start = END - dt.timedelta(days=args.days - 1)
    after = [END + dt.timedelta(days=i) for i in range(1, ANOMALY_DAYS + 1)]
    load_s = _load_history(args, work, start, after[-1])
    training = _train()
    figures = _quality(work / "history", after)
    daily = _daily_run(args, work, after[-1] + dt.timedelta(days=1))
    _print_summary(args, start, load_s, training, figures, daily)
    print(_figures_json(args, load_s, training, figures, daily))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
