"""How close the trained models come to the simulator's truth: out-of-time AUC beside the oracle's, and the anomaly
model's precision at the daily alert budget beside flagging the largest amounts."""

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from mlflow import MlflowClient

ALERT_BUDGET = 200
"""The daily alert budget: how many of a day's transactions the anomaly model may flag."""


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


def oot_auc(spec, data: Path, truth_column: str) -> dict:
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


def anomaly_precision(data: Path, days: list[dt.date]) -> dict:
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
