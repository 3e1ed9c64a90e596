"""A tiny simulated bank loaded through the spine, with score tables filled in as the champions would write them."""

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from riskhub_assets.definitions import build_defs
from riskhub_assets.lib import settings
from riskhub_assets.lib.frames import replace_partition
from riskhub_assets.lib.sqltext import describe
from riskhub_assets.ml.metrics import grade_of
from riskhub_assets.orchestration.runs import run_business_days
from riskhub_assets.simulator import SimulationConfig, simulate
from riskhub_assets.tables import tables_in
from riskhub_assets_tests.resources import local_resources

DAY1, DAY2 = dt.date(2025, 3, 3), dt.date(2025, 3, 4)


def fill_scores(day: dt.date) -> None:
    """Score tables as the champions would write them, with random probabilities: the marts only aggregate them."""
    rng = np.random.default_rng(day.toordinal())
    with duckdb.connect(str(settings.duckdb_path())) as con:
        clients = con.execute("SELECT client_id FROM features.client_features WHERE as_of_date = ?", [day]).df()
        tx = con.execute(
            "SELECT transaction_id, transaction_date, client_id, account_id FROM warehouse.fact_transactions"
            " WHERE transaction_date = ?",
            [day],
        ).df()
        n, m = len(clients), len(tx)
        pd_ = rng.uniform(0, 0.4, n)
        churn = rng.uniform(0, 0.5, n)
        base = {"as_of_date": day, "client_id": clients["client_id"]}
        replace_partition(
            con,
            "scores.default_scores",
            pd.DataFrame(
                {
                    **base,
                    "probability_of_default": pd_,
                    "score_points": 600,
                    "grade": grade_of(pd_).astype(str),
                    "reason_1": "missed_payments_90d",
                    "reason_2": "card_utilisation",
                    "reason_3": None,
                    "model_name": "riskhub_default_model",
                    "model_version": "3",
                }
            ),
            "as_of_date",
            day,
            day,
        )
        replace_partition(
            con,
            "scores.churn_scores",
            pd.DataFrame(
                {
                    **base,
                    "churn_probability": churn,
                    "risk_band": np.where(churn < 0.05, "low", np.where(churn < 0.15, "medium", "high")),
                    "model_name": "riskhub_churn_model",
                    "model_version": "2",
                }
            ),
            "as_of_date",
            day,
            day,
        )
        score = rng.normal(size=m)
        flagged = score >= np.sort(score)[-5]
        replace_partition(
            con,
            "scores.anomaly_flags",
            tx.assign(
                transaction_date=day,
                anomaly_score=score,
                alert_rank=pd.Series(pd.Series(-score).rank(method="first")).where(flagged).astype("Int64"),
                flagged=flagged,
                feature_1=np.where(flagged, "amount_vs_usual", None),
                feature_2=None,
                feature_3=None,
                model_name="riskhub_anomaly_model",
                model_version="1",
            ),
            "transaction_date",
            day,
            day,
        )


def fill_insights(day: dt.date) -> None:
    """Insight tables as the champions would write them: five products a client does not hold, performance
    predictions for every manager and branch, an action for each high churn risk."""
    rng = np.random.default_rng(day.toordinal() + 1)
    with duckdb.connect(str(settings.duckdb_path())) as con:
        free = con.execute(
            "SELECT c.client_id, p.product_code FROM warehouse.dim_client c CROSS JOIN warehouse.dim_product p"
            " ANTI JOIN (SELECT * FROM warehouse.fact_product_holdings WHERE is_held) h USING (client_id, product_code)"
        ).df()
        lists = free.sample(frac=1, random_state=day.toordinal()).groupby("client_id").head(5)
        lists = lists.assign(rank=lists.groupby("client_id").cumcount() + 1)
        rows = {
            "scores.product_recommendations": lists.assign(
                score=1 / lists["rank"],
                reason="clients like you hold it",
                model_name="riskhub_product_recommender",
                model_version="1",
            ),
            "scores.churn_actions": con.execute(
                "SELECT s.client_id, c.manager_id, s.churn_probability, 'relationship_manager_call' AS action,"
                " 'Call' AS action_description, 'recency_days' AS main_driver, 0.1 AS expected_risk_reduction,"
                " 'mortgage' AS offer_product, '2' AS model_version"
                " FROM scores.churn_scores s JOIN warehouse.dim_client c USING (client_id)"
                " WHERE s.as_of_date = ? AND s.risk_band = 'high'",
                [day],
            ).df(),
        }
        for level in ("manager", "agency"):
            units = con.execute(f"SELECT {level}_id, monthly_sales_objective FROM warehouse.dim_{level}").df()
            rows[f"scores.{level}_performance"] = units.assign(
                month_start=day.replace(day=1),
                predicted_score=rng.uniform(20, 100, len(units)).round(2),
                score_last_month=None,
                model_version="1",
            )
        for table, frame in rows.items():
            replace_partition(con, table, frame.assign(as_of_date=day), "as_of_date", day, day)


def scored_bank(data):
    """Two business days of 60 clients through the spine, with scores; returns the definitions."""
    simulate(SimulationConfig(start=DAY1, end=DAY2, clients=60, seed=3, tx_per_client=2.0), data)
    defs = build_defs(local_resources(data))
    assert run_business_days(defs, DAY1, DAY2).success
    for day in (DAY1, DAY2):
        fill_scores(day)
        fill_insights(day)
    with duckdb.connect(str(settings.duckdb_path())) as con:
        for declared in tables_in("scores"):  # as the scoring assets describe what they write
            describe(con, declared)
    return defs


def published_bank(data):
    """The scored bank's two days through the reporting job: marts, reports and the BI database."""
    defs = scored_bank(data)
    assert run_business_days(defs, DAY1, DAY2, job="daily_reporting").success
    return defs
