"""KPI marts for BI: the SELECT that builds business days of each mart declared in riskhub_assets/tables/marts.py."""

import datetime as dt

import duckdb

from riskhub_assets.lib.frames import ensure_table
from riskhub_assets.tables.spec import Table

SELECTS = {
    # mart: SELECT over $start..$end, its columns in the order the mart declares them
    "transaction_kpis": """
        SELECT t.transaction_date, t.channel, coalesce(c.segment, 'unknown'), coalesce(t.merchant_category, 'none'),
               t.direction, t.currency, count(*), count(DISTINCT t.client_id), sum(t.amount), round(avg(t.amount), 2)
        FROM warehouse.fact_transactions t
        ASOF LEFT JOIN clean.clients c ON c.client_id = t.client_id AND t.transaction_date >= c.business_date
        WHERE t.transaction_date BETWEEN $start AND $end
        GROUP BY ALL""",
    "portfolio_kpis": """
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
    "credit_risk_by_grade": """
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
    "churn_risk_distribution": """
        SELECT as_of_date, risk_band, count(*), avg(churn_probability), sum(churn_probability),
               string_agg(DISTINCT model_version, ',')
        FROM scores.churn_scores WHERE as_of_date BETWEEN $start AND $end GROUP BY ALL""",
    "anomaly_kpis": """
        SELECT f.transaction_date, t.channel, t.currency, count(*), count(*) FILTER (WHERE f.flagged),
               count(*) FILTER (WHERE f.flagged) / count(*), coalesce(sum(t.amount) FILTER (WHERE f.flagged), 0),
               string_agg(DISTINCT f.model_version, ',')
        FROM scores.anomaly_flags f
        JOIN warehouse.fact_transactions t USING (transaction_id)
        WHERE f.transaction_date BETWEEN $start AND $end
        GROUP BY ALL""",
}


def load_mart(con: duckdb.DuckDBPyConnection, mart: Table, start: dt.date, end: dt.date) -> None:
    """Replace business days start..end of a mart."""
    ensure_table(con, mart.name, mart.ddl_columns)
    window = {"start": start, "end": end}
    con.execute(f"DELETE FROM {mart.name} WHERE {mart.partition_column} BETWEEN $start AND $end", window)
    con.execute(f"INSERT INTO {mart.name} {SELECTS[mart.short_name]}", window)
