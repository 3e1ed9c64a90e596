"""Outcome labels over an explicit horizon after each as-of date, and the RFM proxy target for banks without defaults."""

import datetime as dt
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from riskhub_assets.lib.frames import replace_table
from riskhub_assets.lib.model_outcome import NotEnoughHistory
from riskhub_assets.lib.sql_files import read_sql

HORIZON_DAYS = 90
INACTIVITY_DAYS = 30
"""A client with no transaction in the last 30 days of the horizon counts as churned, as does one who closed all accounts."""


def labelled_as_of_dates(
    first_day: dt.date, last_day: dt.date, horizon: int = HORIZON_DAYS, min_history: int = 90, every: int = 7
) -> list[dt.date]:
    """Weekly as-of dates whose features had `min_history` days behind them and whose horizon has fully happened."""
    latest = last_day - dt.timedelta(days=horizon)
    earliest = first_day + dt.timedelta(days=min_history)
    dates = []
    while latest >= earliest:
        dates.append(latest)
        latest -= dt.timedelta(days=every)
    return sorted(dates)


def client_labels(con: duckdb.DuckDBPyConnection, dates: list[dt.date], horizon: int = HORIZON_DAYS) -> pd.DataFrame:
    """Default and churn outcomes in the `horizon` days after each as-of date, plus the RFM proxy target."""
    parameters = {"dates": dates, "horizon": horizon, "inactivity": INACTIVITY_DAYS}
    frame = con.execute(read_sql("labels", "client_labels"), parameters).df()
    frame["rfm_proxy_label"] = pd.concat(
        [rfm_proxy_labels(group) for _, group in frame.groupby("as_of_date")] or [pd.Series(dtype=bool)]
    )
    frame["horizon_days"] = horizon
    return frame


@dataclass(frozen=True)
class LabelSummary:
    """How many as-of dates were labelled, and the share of rows with each outcome."""

    as_of_dates: int
    rates: dict[str, float]


def write_client_labels(con: duckdb.DuckDBPyConnection, table: str, horizon: int = HORIZON_DAYS) -> LabelSummary:
    """Replace `table` by the outcomes after every as-of date of the client features whose horizon has happened."""
    first, last = con.execute("SELECT min(as_of_date), max(as_of_date) FROM features.client_features").fetchone()
    dates = labelled_as_of_dates(first, last, horizon)
    if not dates:
        raise NotEnoughHistory(
            f"no as-of date between {first} and {last} has {horizon} days of outcomes"
            " after it and 90 days of history before it: load more business days first"
        )
    frame = client_labels(con, dates, horizon)
    replace_table(con, table, frame)
    rates = frame[["default_label", "churn_label", "rfm_proxy_label"]].mean().round(4).to_dict()
    return LabelSummary(len(dates), rates)


def rfm_proxy_labels(future_rfm: pd.DataFrame, clusters: int = 4, seed: int = 0) -> pd.Series:
    """K-Means on the RFM of the window AFTER the as-of date; the least engaged cluster is labelled high risk.

    Only future behaviour enters, never a model input, so the proxy cannot leak into the features.
    """
    if len(future_rfm) < clusters:
        return pd.Series(False, index=future_rfm.index)
    rfm = np.column_stack(
        [
            -np.log1p(future_rfm["future_recency_days"].to_numpy(float)),
            np.log1p(future_rfm["future_frequency"].to_numpy(float)),
            np.log1p(future_rfm["future_monetary"].to_numpy(float)),
        ]
    )
    from sklearn.cluster import KMeans  # imported when labels are built, not with the Dagster definitions
    from sklearn.preprocessing import StandardScaler

    scaled = StandardScaler().fit_transform(rfm)
    assignment = KMeans(n_clusters=clusters, n_init=10, random_state=seed).fit_predict(scaled)
    engagement = pd.Series(scaled.sum(axis=1)).groupby(assignment).mean()
    return pd.Series(assignment == engagement.idxmin(), index=future_rfm.index)
