"""KPI marts for BI: daily business figures built from the star schema and the score tables (SQL in lib/marts.py)."""

from riskhub_assets.tables.spec import Column, Publish, Table


def _mart(
    name: str,
    description: str,
    columns: dict[str, tuple[str, str]],
    key: tuple[str, ...],
    upstream: tuple[str, ...],
) -> Table:
    """A mart: unique on its key (the first column is the business day), counts never negative, exported to BI."""
    counts = [n for n, (kind, _) in columns.items() if kind == "BIGINT"]
    return Table(
        f"marts.{name}",
        description,
        "team:bi",
        "marts",
        columns=tuple(Column(n, kind, meaning) for n, (kind, meaning) in columns.items()),
        upstream=upstream,
        key=key,
        not_null=key,
        ranges={n: ("0", None) for n in counts},
        partition_column=key[0],
        volume=False,
        freshness=False,
        publish=Publish(export=True),
    )


TABLES = (
    _mart(
        "transaction_kpis",
        "Transaction volume and value per business day, channel, client segment, merchant category, direction"
        " and currency.",
        {
            "business_date": ("DATE", "Business day the transactions were booked on."),
            "channel": ("VARCHAR", "Channel (reference.channels)."),
            "segment": (
                "VARCHAR",
                "Client segment on that day (reference.segments); 'unknown' without KYC record.",
            ),
            "merchant_category": ("VARCHAR", "ISO 18245 merchant category code; 'none' for non-card payments."),
            "direction": ("VARCHAR", "debit (money out of the account) or credit (money in)."),
            "currency": ("VARCHAR", "ISO 4217 currency of the amounts; values are never summed across currencies."),
            "transactions": ("BIGINT", "Number of transactions."),
            "clients": ("BIGINT", "Distinct clients who made them."),
            "value": ("DECIMAL(38,2)", "Sum of the amounts, in the currency of the row."),
            "average_value": ("DECIMAL(18,2)", "Average amount per transaction."),
        },
        ("business_date", "channel", "segment", "merchant_category", "direction", "currency"),
        ("warehouse.fact_transactions", "clean.clients"),
    ),
    _mart(
        "portfolio_kpis",
        "The portfolio at the close of each business day: active clients and accounts, accounts opened and closed,"
        " defaults.",
        {
            "business_date": ("DATE", "Business day."),
            "active_clients": ("BIGINT", "Clients holding at least one open account at the close of the day."),
            "active_accounts": ("BIGINT", "Open accounts at the close of the day."),
            "new_accounts": ("BIGINT", "Accounts opened that day."),
            "closed_accounts": ("BIGINT", "Accounts closed that day."),
            "transacting_clients": ("BIGINT", "Clients with at least one transaction that day."),
            "defaults": (
                "BIGINT",
                "Clients whose default began that day (90+ days past due or unlikely to pay, from any evidence; see"
                " warehouse.fact_defaults).",
            ),
            "complaints": ("BIGINT", "Complaints received that day."),
        },
        ("business_date",),
        (
            "warehouse.fact_account_balances",
            "warehouse.dim_account",
            "warehouse.fact_transactions",
            "warehouse.fact_events",
            "warehouse.fact_defaults",
        ),
    ),
    _mart(
        "credit_risk_by_grade",
        "Predicted default rate and credit exposure per business day, master-scale grade and currency, from the"
        " champion default model.",
        {
            "as_of_date": ("DATE", "Business day the clients were scored on."),
            "grade": ("VARCHAR", "Master-scale grade, A (safest) to I (riskiest)."),
            "currency": ("VARCHAR", "Currency of the exposure; 'none' for clients without card or loan."),
            "clients": (
                "BIGINT",
                "Clients of the grade with exposure in the currency ('none': without); a client with exposure in two"
                " currencies counts in both rows, so count clients per grade from scores.default_scores.",
            ),
            "average_probability_of_default": (
                "DOUBLE",
                "Mean 90-day probability of default: the predicted default rate.",
            ),
            "expected_defaults": (
                "DOUBLE",
                "Sum of the probabilities: defaults the model expects within 90 days (a client with exposure in two"
                " currencies counts in both rows).",
            ),
            "exposure": ("DECIMAL(38,2)", "Outstanding card and loan balances at the close of the day."),
            "expected_loss_proxy": (
                "DOUBLE",
                "Sum over clients of probability of default times exposure (loss given default not applied).",
            ),
            "model_version": ("VARCHAR", "Registered version of the default model that scored the day."),
        },
        ("as_of_date", "grade", "currency"),
        ("scores.default_scores", "warehouse.fact_account_balances"),
    ),
    _mart(
        "churn_risk_distribution",
        "Clients per business day and churn-risk band, with the mean churn probability, from the champion churn model.",
        {
            "as_of_date": ("DATE", "Business day the clients were scored on."),
            "risk_band": ("VARCHAR", "Churn-risk band: low, medium or high."),
            "clients": ("BIGINT", "Clients in the band."),
            "average_churn_probability": ("DOUBLE", "Mean 90-day churn probability in the band."),
            "expected_leavers": ("DOUBLE", "Sum of the probabilities: clients expected to leave within 90 days."),
            "model_version": ("VARCHAR", "Registered version of the churn model that scored the day."),
        },
        ("as_of_date", "risk_band"),
        ("scores.churn_scores",),
    ),
    _mart(
        "anomaly_kpis",
        "Transactions scored and flagged per business day and channel: the fraud team's alert volume.",
        {
            "transaction_date": ("DATE", "Business day of the transactions."),
            "channel": ("VARCHAR", "Channel of the transactions."),
            "currency": ("VARCHAR", "ISO 4217 currency of the amounts."),
            "transactions": ("BIGINT", "Transactions scored."),
            "flagged": ("BIGINT", "Transactions flagged for review (within the day's alert budget)."),
            "alert_rate": ("DOUBLE", "Flagged share of the transactions scored."),
            "flagged_value": ("DECIMAL(38,2)", "Sum of the flagged amounts, in the currency of the row."),
            "model_version": ("VARCHAR", "Registered version of the anomaly model that scored the day."),
        },
        ("transaction_date", "channel", "currency"),
        ("scores.anomaly_flags", "warehouse.fact_transactions"),
    ),
)
"""Every KPI mart, in the order the report lists them."""
