"""Daily outputs of the champion models: scores, anomaly flags, next-best products, performance and churn actions."""

from riskhub_assets.lib import churn_actions, performance, recommendations, scoring
from riskhub_assets.lib.sql_files import read_sql
from riskhub_assets.ml.metrics import MASTER_SCALE
from riskhub_assets.tables.spec import Column, Publish, Table

RISK, INSIGHTS, GROUP = "team:risk-modelling", "team:customer-insights", "scores"
DAILY = {"volume": False, "freshness": False}
"""Score tables follow their inputs: volume and freshness are tested where the data lands."""
CLIENT = {"client_id": "warehouse.dim_client.client_id"}

CHURN_ACTION_COLUMNS = (
    Column("as_of_date", "DATE", "Business day the client was scored on."),
    Column("client_id", "VARCHAR", "Client at high churn risk."),
    Column("manager_id", "VARCHAR", "Relationship manager to act."),
    Column("churn_probability", "DOUBLE", "90-day churn probability."),
    Column("action", "VARCHAR", f"Recommended intervention: {', '.join(churn_actions.ACTIONS)}."),
    Column("action_description", "VARCHAR", "What the intervention is, in words."),
    Column("main_driver", "VARCHAR", "The feature whose change would lower the client's risk most."),
    Column("expected_risk_reduction", "DOUBLE", "Fall in churn probability if the driver matched a low-risk client."),
    Column("offer_product", "VARCHAR", "The client's first next-best product, to offer."),
    Column("model_version", "VARCHAR", "Registered version of the churn model."),
)
"""Declared up front: a day without high risk must not decide the churn-action table's columns and types."""
RECOMMENDER_READS = (
    "warehouse.fact_product_holdings",
    "warehouse.dim_product",
    "warehouse.dim_client",
    "clean.clients",
)
"""What the recommender reads (lib/recommendations.py): holdings, the catalogue and the clients' KYC profiles."""
PERFORMANCE_READS = (
    "warehouse.fact_manager_objectives",
    "warehouse.fact_product_holdings",
    "warehouse.dim_client",
    "warehouse.dim_manager",
    "warehouse.dim_agency",
)
"""What the monthly performance history reads (lib/sql/performance/monthly.sql): objectives, take-ups, portfolios."""
AS_OF = Column("as_of_date", "DATE", "Business day the clients were scored on.")
MODEL_NAME = Column("model_name", "VARCHAR", "Registered name of the champion model that scored the day.")
MODEL_VERSION = Column("model_version", "VARCHAR", "Registered version of the champion model that scored the day.")
ANOMALY_SAMPLE = 2000
"""Unflagged transactions per day kept in the BI anomaly view, as the background alerts are compared with."""


def _performance(level: str, column: str) -> Table:
    unit = "branch's managers'" if level == "agency" else "manager's"
    return Table(
        f"scores.{level}_performance",
        f"Per {level} and day: the predicted performance score (0-100) of the current month, beside its objective"
        f" and last month's score; last month's score is the forecast (model_version '{performance.NAIVE}') while"
        " no model has beaten it.",
        INSIGHTS,
        GROUP,
        columns=(
            Column(column, "VARCHAR", f"The {level} (warehouse.dim_{level})."),
            Column(
                "monthly_sales_objective",
                "DOUBLE",
                f"Products the {unit} clients are expected to take up this calendar month.",
            ),
            Column("month_start", "DATE", "First day of the month the score predicts."),
            Column("predicted_score", "DOUBLE", "Predicted performance score of the month, 0-100."),
            Column("score_last_month", "DOUBLE", "Last month's performance score, 0-100; empty without one."),
            Column(
                "model_version", "VARCHAR", f"Registered version of the performance model, or '{performance.NAIVE}'."
            ),
            Column("as_of_date", "DATE", "Business day the prediction was made on."),
        ),
        upstream=(*PERFORMANCE_READS, f"models.{level}_performance_model"),
        key=("as_of_date", column),
        not_null=("predicted_score", "monthly_sales_objective", "model_version"),
        references={column: f"warehouse.dim_{level}.{column}"},
        ranges={"predicted_score": ("0", "100"), "score_last_month": ("0", "100")},
        partition_column="as_of_date",
        publish=Publish(optional=True),
        **DAILY,
    )


TABLES = (
    Table(
        "scores.default_scores",
        "Per client and day: probability of default (90 days), score points, master-scale grade, top three reason"
        " codes, and the champion model's name and version.",
        RISK,
        GROUP,
        columns=(
            AS_OF,
            Column("client_id", "VARCHAR", "Client scored."),
            Column("probability_of_default", "DOUBLE", "Probability the client defaults within 90 days."),
            Column("score_points", "BIGINT", "Credit score points: higher is safer."),
            Column("grade", "VARCHAR", "Master-scale grade, A (safest) to I (riskiest)."),
            *(
                Column(
                    f"reason_{n}", "VARCHAR", f"{ordinal} feature that raises the client's risk most; empty if none."
                )
                for n, ordinal in ((1, "First"), (2, "Second"), (3, "Third"))
            ),
            MODEL_NAME,
            MODEL_VERSION,
        ),
        upstream=("features.client_features", "models.default_model"),
        key=("as_of_date", "client_id"),
        not_null=("probability_of_default", "score_points", "grade", "model_version"),
        accepted={"grade": tuple(MASTER_SCALE)},
        references=CLIENT,
        ranges={"probability_of_default": ("0", "1")},
        partition_column="as_of_date",
        publish=Publish(),
        **DAILY,
    ),
    Table(
        "scores.churn_scores",
        "Per active client and day: 90-day churn probability, risk band, decile (1 = most at risk), model version.",
        RISK,
        GROUP,
        columns=(
            AS_OF,
            Column("client_id", "VARCHAR", "Active client scored."),
            Column("churn_probability", "DOUBLE", "Probability the client leaves within 90 days."),
            Column("risk_band", "VARCHAR", f"Churn-risk band: {', '.join(scoring.CHURN_BANDS)}."),
            Column("decile", "BIGINT", "Decile of churn probability within the day: 1 = the 10% most at risk."),
            MODEL_NAME,
            MODEL_VERSION,
        ),
        upstream=("features.client_features", "models.churn_model"),
        key=("as_of_date", "client_id"),
        not_null=("churn_probability", "risk_band", "decile", "model_version"),
        accepted={"risk_band": tuple(scoring.CHURN_BANDS)},
        references=CLIENT,
        ranges={"churn_probability": ("0", "1"), "decile": ("1", "10")},
        partition_column="as_of_date",
        publish=Publish(),
        **DAILY,
    ),
    Table(
        "scores.anomaly_flags",
        "Per transaction and day: anomaly score; the day's alert budget of most anomalous transactions flagged with"
        " their top contributing features; model version.",
        RISK,
        GROUP,
        columns=(
            Column("transaction_id", "VARCHAR", "Transaction scored."),
            Column("transaction_date", "DATE", "Business day of the transaction."),
            Column("client_id", "VARCHAR", "Client owning the account."),
            Column("account_id", "VARCHAR", "Booked account."),
            Column(
                "anomaly_score", "DOUBLE", "Anomaly score in (0, 1]: higher is more unusual (about 0.5 is ordinary)."
            ),
            Column("alert_rank", "BIGINT", "Rank among the day's alerts, 1 = most anomalous; empty when not flagged."),
            Column("flagged", "BOOLEAN", "Flagged for review: within the day's alert budget."),
            *(
                Column(f"feature_{n}", "VARCHAR", f"{ordinal} feature contributing most to a flagged score.")
                for n, ordinal in ((1, "First"), (2, "Second"), (3, "Third"))
            ),
            MODEL_NAME,
            MODEL_VERSION,
        ),
        upstream=("features.client_features", "warehouse.fact_transactions", "models.anomaly_model"),
        key=("transaction_id",),
        not_null=("anomaly_score", "flagged", "model_version"),
        partition_column="transaction_date",
        publish=Publish(
            "scores.anomaly_view",
            read_sql("publish", "scores_anomaly_view"),
            "Per day: every transaction flagged for review, with its score and top contributing features, and a"
            f" fixed sample of {ANOMALY_SAMPLE:,} unflagged ones to compare with (flagged = false).",
            partition_column="transaction_date",
            parameters={"anomaly_sample": ANOMALY_SAMPLE},
            joined=("warehouse.fact_transactions",),
            meanings={"account_transactions_that_day": "Transactions booked on the same account that day."},
        ),
        **DAILY,
    ),
    Table(
        "scores.product_recommendations",
        "Per client and day: the five products they do not hold that clients like them hold, with score, rank and"
        " reason; clients who hold nothing get the most popular products.",
        INSIGHTS,
        GROUP,
        columns=(
            Column("client_id", "VARCHAR", "Client the products are recommended to."),
            Column("product_code", "VARCHAR", "Recommended product the client does not hold (reference.products)."),
            Column("rank", "BIGINT", f"Rank of the recommendation, 1 (best) to {recommendations.TOP_N}."),
            Column("score", "DOUBLE", "Recommender score: higher fits the client better."),
            Column("reason", "VARCHAR", "Why the product is recommended, in words."),
            MODEL_NAME,
            MODEL_VERSION,
            Column("as_of_date", "DATE", "Business day the recommendation was made on."),
        ),
        upstream=(*RECOMMENDER_READS, "models.product_recommender"),
        key=("as_of_date", "client_id", "rank"),
        not_null=("product_code", "score", "reason", "model_version"),
        accepted={"product_code": "reference.products"},
        references=CLIENT,
        ranges={"rank": ("1", str(recommendations.TOP_N))},
        partition_column="as_of_date",
        publish=Publish(optional=True),
        **DAILY,
    ),
    *(_performance(level, column) for level, column in performance.LEVELS.items()),
    Table(
        "scores.churn_actions",
        "Per high-churn-risk client and day: the intervention that answers their main risk driver (fee waiver,"
        " complaint follow-up, product offer, manager call), the product to offer and the manager to act.",
        INSIGHTS,
        GROUP,
        columns=CHURN_ACTION_COLUMNS,
        upstream=("scores.churn_scores", "scores.product_recommendations", "features.client_features"),
        key=("as_of_date", "client_id"),
        not_null=("churn_probability", "action", "action_description", "model_version"),
        accepted={"action": tuple(churn_actions.ACTIONS)},
        references={**CLIENT, "manager_id": "warehouse.dim_manager.manager_id"},
        references_once_sent=("manager_id",),
        ranges={"expected_risk_reduction": ("0", "1")},
        partition_column="as_of_date",
        publish=Publish(optional=True),
        **DAILY,
    ),
)
"""Every table the daily scoring writes."""
