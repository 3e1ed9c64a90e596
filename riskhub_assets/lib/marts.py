"""KPI marts for BI: daily business figures built from the star schema and the score tables."""

import datetime as dt
from dataclasses import dataclass

import duckdb

from riskhub_assets.lib.contract import CHANNELS, SEGMENTS
from riskhub_assets.lib.frames import ensure_table
from riskhub_assets.lib.quality import TableChecks


@dataclass(frozen=True)
class Mart:
    """A BI table: what it holds, its columns with their meaning, and the SELECT that builds business days."""

    name: str
    description: str
    columns: dict[str, tuple[str, str]]  # column: (DuckDB type, what it means)
    key: tuple[str, ...]
    sources: tuple[str, ...]  # tables the SELECT reads
    select: str  # over $start..$end, columns in the order above

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
        """
        SELECT t.transaction_date, t.channel, coalesce(c.segment, 'unknown'), coalesce(t.merchant_category, 'none'),
               t.direction, t.currency, count(*), count(DISTINCT t.client_id), sum(t.amount), round(avg(t.amount), 2)
        FROM warehouse.fact_transactions t
        ASOF LEFT JOIN clean.clients c ON c.client_id = t.client_id AND t.transaction_date >= c.business_date
        WHERE t.transaction_date BETWEEN $start AND $end
        GROUP BY ALL""",
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
        """
        WITH days AS (SELECT DISTINCT snapshot_date AS d FROM warehouse.fact_account_balances
                      WHERE snapshot_date BETWEEN $start AND $end),
        balances AS (SELECT snapshot_date AS d, count(DISTINCT client_id) FILTER (WHERE is_open) AS active_clients,
                            count(*) FILTER (WHERE is_open) AS active_accounts
                     FROM warehouse.fact_account_balances WHERE snapshot_date BETWEEN $start AND $end GROUP BY ALL),
        opened AS (SELECT open_date AS d, count(*) AS n FROM warehouse.dim_account
                   WHERE open_date BETWEEN $start AND $end GROUP BY ALL),
        closed AS (SELECT close_date AS d, count(*) AS n FROM warehouse.dim_account
                   WHERE close_date BETWEEN $start AND $end GROUP BY ALL),
        transacting AS (SELECT transaction_date AS d, count(DISTINCT client_id) AS n FROM warehouse.fact_transactions
                        WHERE transaction_date BETWEEN $start AND $end GROUP BY ALL),
        events AS (SELECT event_date AS d, count(DISTINCT client_id) FILTER (WHERE event_type = 'default') AS defaults,
                          count(*) FILTER (WHERE event_type = 'complaint') AS complaints
                   FROM warehouse.fact_events WHERE event_date BETWEEN $start AND $end GROUP BY ALL)
        SELECT days.d, coalesce(b.active_clients, 0), coalesce(b.active_accounts, 0), coalesce(o.n, 0),
               coalesce(c.n, 0), coalesce(t.n, 0), coalesce(e.defaults, 0), coalesce(e.complaints, 0)
        FROM days LEFT JOIN balances b USING (d) LEFT JOIN opened o USING (d) LEFT JOIN closed c USING (d)
        LEFT JOIN transacting t USING (d) LEFT JOIN events e USING (d)""",
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
        """
        WITH exposure AS (SELECT snapshot_date, client_id, currency, sum(-balance) AS exposure
                          FROM warehouse.fact_account_balances
                          WHERE snapshot_date BETWEEN $start AND $end AND is_open AND account_type IN ('card', 'loan')
                          GROUP BY ALL)
        SELECT s.as_of_date, s.grade, coalesce(e.currency, 'none'), count(DISTINCT s.client_id),
               avg(s.probability_of_default), sum(s.probability_of_default),
               coalesce(sum(e.exposure), 0), coalesce(sum(s.probability_of_default * e.exposure), 0),
               string_agg(DISTINCT s.model_version, ',')
        FROM scores.default_scores s
        LEFT JOIN exposure e ON e.client_id = s.client_id AND e.snapshot_date = s.as_of_date
        WHERE s.as_of_date BETWEEN $start AND $end
        GROUP BY ALL""",
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
        """
        SELECT as_of_date, risk_band, count(*), avg(churn_probability), sum(churn_probability),
               string_agg(DISTINCT model_version, ',')
        FROM scores.churn_scores WHERE as_of_date BETWEEN $start AND $end GROUP BY ALL""",
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
        """
        SELECT f.transaction_date, t.channel, t.currency, count(*), count(*) FILTER (WHERE f.flagged),
               count(*) FILTER (WHERE f.flagged) / count(*), coalesce(sum(t.amount) FILTER (WHERE f.flagged), 0),
               string_agg(DISTINCT f.model_version, ',')
        FROM scores.anomaly_flags f
        JOIN warehouse.fact_transactions t USING (transaction_id)
        WHERE f.transaction_date BETWEEN $start AND $end
        GROUP BY ALL""",
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
