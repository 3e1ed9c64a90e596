"""The fraud team's case-management export: the previous day's alerts investigated, each with what it found."""

import datetime

import numpy as np
import pandas as pd

from riskhub_assets.simulator.reports import Day

INVESTIGATED_FRAUD_SHARE = 0.6
"""Share of the previous day's frauds the team investigates (raised by its alerts or reported by the client)."""
FALSE_POSITIVES_PER_FRAUD = 2
"""Genuine transactions investigated per fraud: the largest of the day, raised by a plain amount rule."""
COLUMNS = ["case_id", "transaction_id", "outcome", "decision_date"]


def investigation_outcomes(previous: Day | None, day: datetime.date) -> pd.DataFrame:
    """The cases decided on `day`: part of the previous day's frauds confirmed, its largest genuine transactions
    found genuine (none on the first day)."""
    if previous is None or previous.transactions.empty:
        return pd.DataFrame(columns=COLUMNS)
    rng = np.random.default_rng(day.toordinal())
    frauds = previous.fraud["transaction_id"].to_numpy()
    confirmed = frauds[rng.random(len(frauds)) < INVESTIGATED_FRAUD_SHARE]
    genuine = previous.transactions[~previous.transactions["transaction_id"].isin(frauds)]
    cleared = genuine.nlargest(max(5, FALSE_POSITIVES_PER_FRAUD * len(confirmed)), "amount")["transaction_id"]
    ids = np.concatenate([confirmed, cleared.to_numpy()])
    return pd.DataFrame(
        {
            "case_id": [f"CASE-{day:%Y%m%d}-{n + 1:05d}" for n in range(len(ids))],
            "transaction_id": ids,
            "outcome": ["confirmed_fraud"] * len(confirmed) + ["false_positive"] * len(cleared),
            "decision_date": day,
        }
    )
