"""Relationship-manager and branch performance: monthly scores against objectives, and what is known at month start.

The performance score of a month is 100 x product-system take-ups by the portfolio's clients / the month's objective,
capped at 100. Features describe the portfolio and past months as of the first day of the month, so a model
predicts a month before it happens. Clients count in their current manager's portfolio (assignments have no history).
"""

import datetime as dt
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from riskhub_assets.lib.sql_files import read_sql
from riskhub_assets.ml import make_performance_model

if TYPE_CHECKING:
    from riskhub_assets.ml.performance import PerformanceModel

# scikit-learn (and XGBoost) are imported inside the functions that fit models: the Dagster definitions import this
# module for its names, and loading them must not import the ML stack.

LEVELS = {"manager": "manager_id", "agency": "agency_id"}
TARGET = "performance_score"
NO_MANAGERS = (
    "no relationship managers sent: relationship_managers.csv is optional, and without it there is no manager or"
    " branch performance to model or predict"
)
NAIVE = "naive_last_month"
"""The forecast without a model: last month's score (the mean of all scores when there is no last month)."""


def monthly_frame(con: duckdb.DuckDBPyConnection, level: str, last: dt.date) -> pd.DataFrame:
    """One row per manager (or branch) per month up to `last`: objective, sales, score and month-start features."""
    rows = con.execute(read_sql("performance", "monthly"), {"last": last}).df()
    if level == "agency":
        rows = rows.groupby(["month_start", "agency_id", "region", "complete"], as_index=False).agg(
            objective=("objective", "sum"),
            sales=("sales", "sum"),
            managers=("manager_id", "nunique"),
            portfolio_clients=("portfolio_clients", "sum"),
            products_per_client=("products_per_client", "mean"),
            sold_products_per_client=("sold_products_per_client", "mean"),
            share_without_sold_products=("share_without_sold_products", "mean"),
        )
    else:
        rows["tenure_months"] = (rows["month_start"] - pd.to_datetime(rows["hire_date"])).dt.days / 30.44
        rows = rows.drop(columns="hire_date")
    key = LEVELS[level]
    rows = rows.astype({"objective": float, "sales": float}).sort_values([key, "month_start"], ignore_index=True)
    rows[TARGET] = np.minimum(100.0, 100.0 * rows["sales"] / rows["objective"].clip(lower=1))
    rows.loc[~rows["complete"], TARGET] = np.nan  # a month still running has no score yet
    past = rows.groupby(key)[TARGET]
    rows["score_last_month"] = past.shift(1)
    rows["score_last_3_months"] = past.transform(lambda s: s.shift(1).rolling(3, min_periods=1).mean())
    rows["objective_per_client"] = rows["objective"] / rows["portfolio_clients"].clip(lower=1)
    return rows


def feature_columns(frame: pd.DataFrame, level: str) -> list[str]:
    """What the model may use: known at month start, never the month's own sales or score."""
    leaves_out = {"month_start", "complete", "sales", TARGET, LEVELS[level]}
    return [c for c in frame.columns if c not in leaves_out]


def training_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Completed months that have a previous month to learn from."""
    return frame[frame["complete"] & frame["score_last_month"].notna()].reset_index(drop=True)


def cross_validate(frame: pd.DataFrame, level: str, folds: int = 5, seed: int = 0) -> dict[str, float]:
    """RMSE, MAE and R² of the model by k-fold cross-validation, beside last month's score used as the forecast."""
    from sklearn.model_selection import KFold, cross_val_predict

    X, y = frame[feature_columns(frame, level)], frame[TARGET].to_numpy(float)
    predicted = cross_val_predict(
        make_performance_model(random_state=seed), X, y, cv=KFold(folds, shuffle=True, random_state=seed)
    )
    naive = frame["score_last_month"].to_numpy(float)
    return {**_errors(y, predicted, "cv"), **_errors(y, naive, "naive_last_month")}


def _errors(y: np.ndarray, p: np.ndarray, prefix: str) -> dict[str, float]:
    residual = y - p
    total = ((y - y.mean()) ** 2).sum()
    return {
        f"{prefix}_rmse": float(np.sqrt(np.mean(residual**2))),
        f"{prefix}_mae": float(np.mean(np.abs(residual))),
        f"{prefix}_r2": float(1 - (residual**2).sum() / total) if total > 0 else float("nan"),
    }


def predictions(model: "PerformanceModel | None", frame: pd.DataFrame, level: str, month: dt.date) -> pd.DataFrame:
    """Predicted score for `month` of every manager (or branch) with an objective that month (the naive forecast
    when there is no model)."""
    rows = frame[frame["month_start"].dt.date == month]
    if model is None:
        predicted = rows["score_last_month"].fillna(frame[TARGET].mean()).to_numpy(float)
    else:
        predicted = model.predict(rows[list(model.feature_names_in_)])
    return pd.DataFrame(
        {
            LEVELS[level]: rows[LEVELS[level]].to_numpy(),
            "month_start": rows["month_start"].dt.date.to_numpy(),
            "monthly_sales_objective": rows["objective"].to_numpy(),
            "predicted_score": np.round(predicted, 2),
            "score_last_month": rows["score_last_month"].round(2).to_numpy(),
        }
    )
