"""What the fraud team's investigations concluded, as the anomaly model learns from them and is judged on them."""

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from riskhub_assets.lib.sql_files import read_sql


def latest_outcomes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each investigated transaction's latest outcome (confirmed_fraud 1, false positive 0); none before the
    optional investigation_outcomes.csv was ever loaded."""
    loaded = con.execute(
        "SELECT count(*) FROM information_schema.tables"
        " WHERE table_schema = 'clean' AND table_name = 'investigation_outcomes'"
    ).fetchone()[0]
    if not loaded:
        return pd.DataFrame({"transaction_id": pd.Series(dtype=object), "confirmed_fraud": pd.Series(dtype=int)})
    return con.execute(read_sql("labels", "investigation_outcomes")).df()


def outcome_of(transaction_ids: pd.Series, outcomes: pd.DataFrame) -> np.ndarray:
    """Per transaction: 1 confirmed fraud, 0 false positive, NaN not investigated."""
    return transaction_ids.map(outcomes.set_index("transaction_id")["confirmed_fraud"]).to_numpy(dtype=float)


def confirmed_precision(
    days: pd.Series, scores: np.ndarray, outcome: np.ndarray, budget: int
) -> dict[str, float | int]:
    """Over the days given, the `budget` highest scores of each day that investigators decided: how many they
    confirmed as fraud, how many they found genuine, and the precision (confirmed over decided) at the budget."""
    frame = pd.DataFrame({"day": days.to_numpy(), "score": scores, "outcome": outcome})
    top = frame.sort_values("score", ascending=False, kind="stable").groupby("day").head(budget)
    decided = top["outcome"].dropna()
    return {
        "confirmed": int((decided == 1).sum()),
        "false_positives": int((decided == 0).sum()),
        "precision": float(decided.mean()) if len(decided) else float("nan"),
    }


def held_out_days(days: pd.Series, outcome: np.ndarray, count: int) -> list[dt.date]:
    """The latest `count` days with any decided transaction: where the ranking is judged, never trained on."""
    decided = days[~np.isnan(outcome)]
    return sorted(decided.unique())[-count:]
