"""Point-in-time client features and outcome labels: what the bank knew about each client at the close of a day."""

from riskhub_assets.tables.spec import Column, Table
from riskhub_assets.tables.warehouse import BIG

OWNER, GROUP = "team:risk-modelling", "features"


def _columns(*declared: tuple) -> tuple[Column, ...]:
    return tuple(Column(*c) for c in declared)


ACTIVITY_COLUMNS = _columns(
    ("activity_date", "DATE", "Business day of the activity."),
    ("client_id", "VARCHAR", "Client."),
    ("tx_count", "INTEGER", "Transactions booked that day."),
    ("debit_count", "INTEGER", "Debits (money out) that day."),
    ("debit_amount", "DECIMAL(18,2)", "Sum of the debits, in the reporting currency."),
    ("credit_amount", "DECIMAL(18,2)", "Sum of the credits (money in), in the reporting currency."),
    ("max_debit", "DECIMAL(18,2)", "Largest single debit."),
    ("night_count", "INTEGER", "Transactions booked from 23:00 to 06:00."),
    ("timed_count", "INTEGER", "Transactions whose time of day is known."),
    ("foreign_count", "INTEGER", "Transactions with a counterparty outside the client's country."),
    ("counterparty_known_count", "INTEGER", "Transactions whose counterparty country is known."),
    ("risky_merchant_count", "INTEGER", "Transactions at gambling, quasi-cash, jewellery or money-transfer merchants."),
    ("merchant_known_count", "INTEGER", "Transactions whose merchant is known (or that have none: not card payments)."),
    ("digital_count", "INTEGER", "Transactions through mobile, internet or e-commerce."),
    ("cash_count", "INTEGER", "ATM transactions."),
    ("branch_count", "INTEGER", "Transactions at a branch."),
    ("transfer_inflow", "DECIMAL(18,2)", "Credits received by transfer (salary and the like)."),
    ("purchase_count", "INTEGER", "Card purchases (point of sale and e-commerce)."),
    ("distress_purchase_count", "INTEGER", "Card purchases at merchants that signal financial distress."),
    ("known_purchase_count", "INTEGER", "Card purchases whose merchant category is known."),
    ("payments_due", "INTEGER", "Instalments and card repayments that fell due."),
    ("payments_missed", "INTEGER", "Due payments missed."),
    ("complaints", "INTEGER", "Complaints filed."),
    ("defaults", "INTEGER", "Default events (90+ days past due)."),
)

FEATURE_COLUMNS = _columns(
    ("as_of_date", "DATE", "The day whose close the features describe; no later data enters."),
    ("client_id", "VARCHAR", "Client."),
    ("segment", "VARCHAR", "Commercial segment as of the date."),
    ("employment_status", "VARCHAR", "Employment status as of the date."),
    ("country", "VARCHAR", "Country of residence as of the date."),
    ("age_years", "INTEGER", "Age in whole years on the as-of date, from the birth month.", True),
    ("tenure_days", "INTEGER", "Days since the relationship began."),
    (
        "annual_income",
        "DOUBLE",
        "Declared gross annual income (a model input: nowhere else in clear past clean).",
        True,
    ),
    ("pep_flag", "BOOLEAN", "Politically exposed person."),
    ("products_held", "INTEGER", "Open accounts."),
    ("has_card", "BOOLEAN", "Holds an open card."),
    ("has_loan", "BOOLEAN", "Holds an open loan."),
    ("has_savings", "BOOLEAN", "Holds an open savings account."),
    ("current_balance", "DOUBLE", "Current-account balance at the close, in the reporting currency."),
    ("savings_balance", "DOUBLE", "Savings balance at the close, in the reporting currency."),
    ("card_utilisation", "DOUBLE", "Card balance owed over card limit."),
    ("loan_outstanding_share", "DOUBLE", "Loan balance outstanding over original principal."),
    ("avg_current_balance_30d", "DOUBLE", "Average current-account balance over 30 days, reporting currency."),
    ("min_current_balance_30d", "DOUBLE", "Lowest current-account balance over 30 days, reporting currency."),
    ("days_overdrawn_30d", "INTEGER", "Days overdrawn in the last 30."),
    ("balance_trend_7d_vs_30d", "DOUBLE", "Last 7 days' average balance less the 30 days' average."),
    ("recency_days", "INTEGER", "Days since the last transaction (90 when none in 90 days)."),
    ("frequency_90d", "INTEGER", "Transactions in the last 90 days."),
    ("monetary_90d", "DOUBLE", "Debits in the last 90 days."),
    ("avg_amount_90d", "DOUBLE", "Average debit over the last 90 days, in the reporting currency."),
    ("tx_count_30d", "INTEGER", "Transactions in the last 30 days."),
    ("tx_trend_30d_vs_90d", "DOUBLE", "Last 30 days' transactions over the 90 days' monthly average."),
    ("inflow_30d", "DOUBLE", "Credits in the last 30 days."),
    ("inflow_trend_30d_vs_90d", "DOUBLE", "Last 30 days' credits over the 90 days' monthly average."),
    ("salary_inflow_30d", "DOUBLE", "Transfers received in the last 30 days."),
    ("digital_share_90d", "DOUBLE", "Share of transactions through digital channels, last 90 days."),
    ("cash_share_90d", "DOUBLE", "Share of ATM transactions, last 90 days."),
    ("branch_share_90d", "DOUBLE", "Share of branch transactions, last 90 days."),
    ("night_share_90d", "DOUBLE", "Share of night-time transactions among those with a known time, last 90 days."),
    (
        "foreign_share_90d",
        "DOUBLE",
        "Share of transactions with a foreign counterparty among known ones, last 90 days.",
    ),
    ("risky_merchant_share_90d", "DOUBLE", "Share of transactions at risky merchants among known ones, last 90 days."),
    ("payments_due_90d", "INTEGER", "Payments due in the last 90 days."),
    ("missed_payments_90d", "INTEGER", "Payments missed in the last 90 days."),
    ("complaints_90d", "INTEGER", "Complaints in the last 90 days."),
    ("missed_in_a_row", "INTEGER", "Payments missed since the last one made, worst account."),
    ("days_past_due", "INTEGER", "Days since the first unpaid missed payment, worst account."),
    ("accounts_in_arrears", "INTEGER", "Accounts with a missed payment not yet followed by a payment."),
    ("days_since_missed", "INTEGER", "Days since the last missed payment (180 when none)."),
    ("spend_to_income_30d", "DOUBLE", "Last 30 days' debits over a month of declared income."),
    ("risky_merchant_share_30d", "DOUBLE", "Share of transactions at risky merchants, last 30 days."),
    ("savings_vs_30d", "DOUBLE", "Savings balance over the balance 30 days before."),
    ("miss_rate_180d", "DOUBLE", "Missed over due payments, last 180 days (as far as the loaded history goes)."),
    ("miss_rate_recent", "DOUBLE", "Missed over due payments, weighted to halve every 30 days back."),
    ("arrears_runs_total", "INTEGER", "Missed payments in a row, summed over accounts."),
    ("loan_interest_rate", "DOUBLE", "Annual interest rate of the loan, read from its latest repayment."),
    ("distress_purchase_share_30d", "DOUBLE", "Share of card purchases signalling distress, last 30 days."),
    ("distress_purchase_share_90d", "DOUBLE", "Share of card purchases signalling distress, last 90 days."),
)

TABLES = (
    Table(
        "features.client_daily_activity",
        "One row per client per day with activity: transactions, amounts, channel and risk mix, payments due and"
        " missed, complaints; the building block of rolling features.",
        OWNER,
        GROUP,
        columns=ACTIVITY_COLUMNS,
        upstream=("warehouse.fact_transactions", "warehouse.fact_events", "clean.clients"),
        key=("activity_date", "client_id"),
        references={"client_id": "warehouse.dim_client.client_id"},
        ranges={"tx_count": ("0", None), "debit_amount": ("0", None), "credit_amount": ("0", None)},
        partition_column="activity_date",
        volume=False,
    ),
    Table(
        "features.client_features",
        "One row per active, non-defaulted client per as-of date: RFM, balances and their trend, products,"
        " utilisation, missed payments, complaints, channel mix; only data up to the as-of date enters.",
        OWNER,
        GROUP,
        columns=FEATURE_COLUMNS,
        upstream=(
            "features.client_daily_activity",
            "warehouse.fact_account_balances",
            "warehouse.fact_events",
            "warehouse.fact_defaults",
            "clean.clients",
        ),
        key=("as_of_date", "client_id"),
        not_null=("tenure_days", "products_held", "recency_days", "frequency_90d"),
        references={"client_id": "warehouse.dim_client.client_id"},
        ranges={
            "age_years": ("0", None),  # junior accounts: the contract accepts any birth date up to the business day
            "annual_income": ("0", None),
            "tenure_days": ("0", None),
            "recency_days": ("0", "90"),
            "digital_share_90d": ("0", "1"),
            "night_share_90d": ("0", "1"),
            "missed_in_a_row": ("0", None),
            "days_past_due": ("0", "179"),  # arrears are read over the last 180 days
        },
        plausible={
            "age_years": (None, "120"),
            "annual_income": (None, str(BIG)),
            "card_utilisation": (
                "-5",
                "100",
            ),  # cards in credit and over limit exist; beyond, a limit in the wrong unit
        },
        partition_column="as_of_date",
    ),
    Table(
        "features.client_labels",
        "Outcomes in the horizon after weekly as-of dates: default, churn (all accounts closed or 30 days"
        " inactive) and the RFM proxy target (least engaged K-Means cluster of the window after the as-of date).",
        OWNER,
        GROUP,
        columns=(
            Column("as_of_date", "TIMESTAMP", "Weekly as-of date the outcomes follow (midnight)."),
            Column("client_id", "VARCHAR", "Client labelled."),
            Column("default_label", "BOOLEAN", "A default began within the horizon (see warehouse.fact_defaults)."),
            Column(
                "churn_label",
                "BOOLEAN",
                "No open account at the horizon's end, or no transaction in its last 30 days.",
            ),
            Column("future_recency_days", "BIGINT", "Days from the last transaction in the horizon to its end."),
            Column("future_frequency", "DOUBLE", "Transactions in the horizon."),
            Column("future_monetary", "DOUBLE", "Debit amount in the horizon, reporting currency."),
            Column("rfm_proxy_label", "BOOLEAN", "In the least engaged K-Means cluster of the horizon's RFM."),
            Column("horizon_days", "BIGINT", "Days after the as-of date the outcomes are observed over."),
        ),
        upstream=(
            "features.client_features",
            "features.client_daily_activity",
            "warehouse.fact_defaults",
            "warehouse.fact_account_balances",
        ),
        key=("as_of_date", "client_id"),
        not_null=("default_label", "churn_label", "rfm_proxy_label", "horizon_days"),
        references={"client_id": "warehouse.dim_client.client_id"},
    ),
)
"""The client features the models learn from and score, and the labels they learn."""
