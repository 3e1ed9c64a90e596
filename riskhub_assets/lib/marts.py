"""KPI marts for BI: daily business figures built from the star schema and the score tables."""

import datetime as dt
from dataclasses import dataclass

import duckdb

from riskhub_assets.lib.contract import CHANNELS, SEGMENTS
from riskhub_assets.lib.frames import ensure_table
from riskhub_assets.lib.quality import TableChecks
from riskhub_assets.lib.sql_files import read_sql


@dataclass(frozen=True)
class Mart:
    """A BI table: what it holds, its columns with their meaning, and the SELECT that builds business days."""

    name: str
    description: str
    columns: dict[str, tuple[str, str]]  # column: (DuckDB type, what it means)
    key: tuple[str, ...]
    sources: tuple[str, ...]  # tables the SELECT reads
    select: str  # over $start..$end, columns in the order above: sql/marts/<name>.sql

    @property
    def table(self) -> str:
        return f"marts.{self.name}"

    @property
    def partition_column(self) -> str:
        return self.key[0]


MARTS = [
    Mart(
        "transaction_kpis",
        "Transaction volume and value per business day, channel, client segment, merchant category, direction"
        " and currency.",
        {
            "business_date": ("DATE", "Business day the transactions were booked on."),
            "channel": ("VARCHAR", f"Channel: {', '.join(CHANNELS)}."),
            "segment": (
                "VARCHAR",
                f"Client segment on that day: {', '.join(SEGMENTS)} ('unknown' without KYC record).",
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
        read_sql("marts", "transaction_kpis"),
    ),
    Mart(
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
                "Clients who defaulted that day (third missed payment in a row, or 90+ days past due).",
            ),
            "complaints": ("BIGINT", "Complaints received that day."),
        },
        ("business_date",),
        (
            "warehouse.fact_account_balances",
            "warehouse.dim_account",
            "warehouse.fact_transactions",
            "warehouse.fact_events",
        ),
        read_sql("marts", "portfolio_kpis"),
    ),
    Mart(
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
        read_sql("marts", "credit_risk_by_grade"),
    ),
    Mart(
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
        read_sql("marts", "churn_risk_distribution"),
    ),
    Mart(
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
        read_sql("marts", "anomaly_kpis"),
    ),
]
"""Every KPI mart, in the order the report lists them."""


def _columns_sql(mart: Mart) -> str:
    return ", ".join(f"{name} {kind}" for name, (kind, _) in mart.columns.items())


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load_mart(con: duckdb.DuckDBPyConnection, mart: Mart, start: dt.date, end: dt.date) -> None:
    """Replace business days start..end of a mart, and describe the table and its columns for BI tools."""
    ensure_table(con, mart.table, _columns_sql(mart))
    window = {"start": start, "end": end}
    con.execute(f"DELETE FROM {mart.table} WHERE {mart.partition_column} BETWEEN $start AND $end", window)
    con.execute(f"INSERT INTO {mart.table} {mart.select}", window)
    con.execute(f"COMMENT ON TABLE {mart.table} IS {_quote(mart.description)}")
    for name, (_, meaning) in mart.columns.items():
        con.execute(f"COMMENT ON COLUMN {mart.table}.{name} IS {_quote(meaning)}")


def mart_checks(mart: Mart) -> TableChecks:
    """The data tests of a mart: its key is unique and its counts are not negative."""
    counts = [n for n, (kind, _) in mart.columns.items() if kind == "BIGINT"]
    return TableChecks(
        mart.table,
        key=mart.key,
        not_null=mart.key,
        ranges={n: ("0", None) for n in counts},
        partition_column=mart.partition_column,
        volume=False,
        freshness=False,
    )
