"""Outcome labels over an explicit horizon after each as-of date, and the RFM proxy target for banks without defaults."""

import datetime as dt
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

from riskhub_assets.lib.frames import replace_table
from riskhub_assets.lib.model_outcome import NotEnoughHistory

HORIZON_DAYS = 90
INACTIVITY_DAYS = 30
"""A client with no transaction in the last 30 days of the horizon counts as churned, as does one who closed all accounts."""

LABELS_SQL = """
SELECT f.as_of_date, f.client_id,
       EXISTS (SELECT 1 FROM warehouse.fact_events e WHERE e.client_id = f.client_id AND e.event_type = 'default'
               AND e.event_date > f.as_of_date AND e.event_date <= f.as_of_date + $horizon) AS default_label,
       NOT EXISTS (SELECT 1 FROM warehouse.fact_account_balances b WHERE b.client_id = f.client_id AND b.is_open
                   AND b.snapshot_date = f.as_of_date + $horizon)
       OR coalesce((SELECT sum(a.tx_count) FROM features.client_daily_activity a WHERE a.client_id = f.client_id
                    AND a.activity_date > f.as_of_date + $horizon - $inactivity
                    AND a.activity_date <= f.as_of_date + $horizon), 0) = 0 AS churn_label,
       coalesce(r.future_recency_days, $horizon) AS future_recency_days,
       coalesce(r.future_frequency, 0) AS future_frequency,
       coalesce(r.future_monetary, 0) AS future_monetary
FROM features.client_features f
LEFT JOIN (
    SELECT d.as_of_date, a.client_id,
           d.as_of_date + $horizon - max(a.activity_date) FILTER (WHERE a.tx_count > 0) AS future_recency_days,
           sum(a.tx_count) AS future_frequency, sum(a.debit_amount) AS future_monetary
    FROM (SELECT unnest($dates::DATE[]) AS as_of_date) d
    JOIN features.client_daily_activity a
      ON a.activity_date > d.as_of_date AND a.activity_date <= d.as_of_date + $horizon
    GROUP BY d.as_of_date, a.client_id) r USING (as_of_date, client_id)
WHERE f.as_of_date IN (SELECT unnest($dates::DATE[]))
ORDER BY f.as_of_date, f.client_id
"""


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
    frame = con.execute(LABELS_SQL, {"dates": dates, "horizon": horizon, "inactivity": INACTIVITY_DAYS}).df()
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
    scaled = StandardScaler().fit_transform(rfm)
    assignment = KMeans(n_clusters=clusters, n_init=10, random_state=seed).fit_predict(scaled)
    engagement = pd.Series(scaled.sum(axis=1)).groupby(assignment).mean()
    return pd.Series(assignment == engagement.idxmin(), index=future_rfm.index)
