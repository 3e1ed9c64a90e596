"""Point-in-time client features: what the bank knew about each client at the close of an as-of date."""

import datetime as dt

import duckdb

from riskhub_assets.lib.frames import ensure_table
from riskhub_assets.lib.sqltext import days
from riskhub_assets.tables import table

RISKY_MERCHANTS = ("7995", "6051", "5944", "4829")
"""Gambling, quasi-cash/crypto, jewellery, money transfer: categories linked to financial stress and fraud."""
DISTRESS_MERCHANTS = ("7995", "6051", "4829", "6011")
"""Gambling, quasi-cash/crypto, money transfer and cash disbursement: card purchases that signal financial distress
(counted among card-present and online purchases, where a household's everyday spending goes)."""
RECENCY_HALF_LIFE_DAYS = 30
"""Weight of a repayment event halves every 30 days in the recent miss rate: last month counts most."""
LONG_WINDOW_DAYS = 180
"""The repayment history window. Where the bank's loaded history is shorter, its counts are scaled up to 180 days:
otherwise models trained on the first months (90 to 179 days behind them) would see smaller counts than they score."""

_RISKY = ", ".join(f"'{m}'" for m in RISKY_MERCHANTS)
_DISTRESS = ", ".join(f"'{m}'" for m in DISTRESS_MERCHANTS)

ACTIVITY_SQL = f"""
WITH tx AS (
    SELECT f.transaction_date AS activity_date, f.client_id,
           count(*) AS tx_count,
           count(*) FILTER (WHERE f.direction = 'debit') AS debit_count,
           coalesce(sum(f.amount) FILTER (WHERE f.direction = 'debit'), 0) AS debit_amount,
           coalesce(sum(f.amount) FILTER (WHERE f.direction = 'credit'), 0) AS credit_amount,
           coalesce(max(f.amount) FILTER (WHERE f.direction = 'debit'), 0) AS max_debit,
           count(*) FILTER (WHERE f.hour_of_day < 6 OR f.hour_of_day >= 23) AS night_count,
           count(*) FILTER (WHERE f.counterparty_country <> c.country) AS foreign_count,
           count(*) FILTER (WHERE f.merchant_category IN ({_RISKY})) AS risky_merchant_count,
           count(*) FILTER (WHERE f.channel IN ('mobile', 'internet', 'ecommerce')) AS digital_count,
           count(*) FILTER (WHERE f.channel = 'atm') AS cash_count,
           count(*) FILTER (WHERE f.channel = 'branch') AS branch_count,
           coalesce(sum(f.amount) FILTER (WHERE f.direction = 'credit' AND f.channel = 'transfer'), 0) AS transfer_inflow,
           count(*) FILTER (WHERE f.direction = 'debit' AND f.channel IN ('pos', 'ecommerce')) AS purchase_count,
           count(*) FILTER (WHERE f.direction = 'debit' AND f.channel IN ('pos', 'ecommerce')
                            AND f.merchant_category IN ({_DISTRESS})) AS distress_purchase_count
    FROM warehouse.fact_transactions f
    ASOF LEFT JOIN clean.clients c ON c.client_id = f.client_id AND f.transaction_date >= c.business_date
    WHERE f.transaction_date BETWEEN $start AND $end
    GROUP BY ALL),
ev AS (
    SELECT event_date AS activity_date, client_id,
           count(*) FILTER (WHERE event_type = 'payment_due') AS payments_due,
           count(*) FILTER (WHERE event_type = 'payment_missed') AS payments_missed,
           count(*) FILTER (WHERE event_type = 'complaint') AS complaints,
           count(*) FILTER (WHERE event_type = 'default') AS defaults
    FROM warehouse.fact_events WHERE event_date BETWEEN $start AND $end
    GROUP BY ALL)
SELECT activity_date, client_id,
       coalesce(tx_count, 0), coalesce(debit_count, 0), coalesce(debit_amount, 0), coalesce(credit_amount, 0),
       coalesce(max_debit, 0), coalesce(night_count, 0), coalesce(foreign_count, 0),
       coalesce(risky_merchant_count, 0), coalesce(digital_count, 0), coalesce(cash_count, 0),
       coalesce(branch_count, 0), coalesce(transfer_inflow, 0), coalesce(purchase_count, 0),
       coalesce(distress_purchase_count, 0), coalesce(payments_due, 0),
       coalesce(payments_missed, 0), coalesce(complaints, 0), coalesce(defaults, 0)
FROM tx FULL OUTER JOIN ev USING (activity_date, client_id)
"""

FEATURES_SQL = f"""
WITH accounts AS (
    SELECT client_id,
           count(*) AS products_held,
           bool_or(account_type = 'card') AS has_card,
           bool_or(account_type = 'loan') AS has_loan,
           bool_or(account_type = 'savings') AS has_savings,
           sum(balance) FILTER (WHERE account_type = 'current') AS current_balance,
           sum(balance) FILTER (WHERE account_type = 'savings') AS savings_balance,
           sum(-balance) FILTER (WHERE account_type = 'card') / nullif(sum(limit_or_principal) FILTER (WHERE account_type = 'card'), 0)
               AS card_utilisation,
           sum(-balance) FILTER (WHERE account_type = 'loan') / nullif(sum(limit_or_principal) FILTER (WHERE account_type = 'loan'), 0)
               AS loan_outstanding_share
    FROM warehouse.fact_account_balances
    WHERE snapshot_date = $as_of AND is_open
    GROUP BY client_id),
population AS (
    SELECT a.* FROM accounts a
    WHERE NOT EXISTS (SELECT 1 FROM warehouse.fact_events e
                      WHERE e.client_id = a.client_id AND e.event_type = 'default' AND e.event_date <= $as_of)),
balances AS (
    SELECT client_id, avg(day_balance) AS avg_current_balance_30d, min(day_balance) AS min_current_balance_30d,
           count(*) FILTER (WHERE day_balance < 0) AS days_overdrawn_30d,
           avg(day_balance) FILTER (WHERE snapshot_date > $as_of - 7) - avg(day_balance) AS balance_trend_7d_vs_30d
    FROM (SELECT client_id, snapshot_date, sum(balance) AS day_balance FROM warehouse.fact_account_balances
          WHERE account_type = 'current' AND snapshot_date BETWEEN $as_of - 29 AND $as_of GROUP BY ALL)
    GROUP BY client_id),
activity AS (
    SELECT client_id,
           $as_of - max(activity_date) FILTER (WHERE tx_count > 0) AS recency_days,
           sum(tx_count) AS frequency_90d, sum(debit_amount) AS monetary_90d,
           sum(debit_amount) / nullif(sum(debit_count), 0) AS avg_amount_90d,
           sum(tx_count) FILTER (WHERE activity_date > $as_of - 30) AS tx_count_30d,
           sum(credit_amount) FILTER (WHERE activity_date > $as_of - 30) AS inflow_30d,
           sum(credit_amount) AS inflow_90d,
           sum(transfer_inflow) FILTER (WHERE activity_date > $as_of - 30) AS salary_inflow_30d,
           sum(debit_amount) FILTER (WHERE activity_date > $as_of - 30) AS spend_30d,
           sum(risky_merchant_count) FILTER (WHERE activity_date > $as_of - 30)
               / nullif(sum(tx_count) FILTER (WHERE activity_date > $as_of - 30), 0) AS risky_merchant_share_30d,
           sum(digital_count) / nullif(sum(tx_count), 0) AS digital_share_90d,
           sum(cash_count) / nullif(sum(tx_count), 0) AS cash_share_90d,
           sum(branch_count) / nullif(sum(tx_count), 0) AS branch_share_90d,
           sum(night_count) / nullif(sum(tx_count), 0) AS night_share_90d,
           sum(foreign_count) / nullif(sum(tx_count), 0) AS foreign_share_90d,
           sum(risky_merchant_count) / nullif(sum(tx_count), 0) AS risky_merchant_share_90d,
           sum(payments_due) AS payments_due_90d, sum(payments_missed) AS missed_payments_90d,
           sum(complaints) AS complaints_90d,
           sum(distress_purchase_count) FILTER (WHERE activity_date > $as_of - 30)
               / nullif(sum(purchase_count) FILTER (WHERE activity_date > $as_of - 30), 0)
               AS distress_purchase_share_30d,
           sum(distress_purchase_count) / nullif(sum(purchase_count), 0) AS distress_purchase_share_90d
    FROM features.client_daily_activity
    WHERE activity_date BETWEEN $as_of - 89 AND $as_of
    GROUP BY client_id),
history AS (
    SELECT {LONG_WINDOW_DAYS} / least({LONG_WINDOW_DAYS}, $as_of - min(activity_date) + 1) AS scale_to_180d
    FROM features.client_daily_activity),
missed_180 AS (
    SELECT client_id, sum(payments_missed) * any_value(scale_to_180d) AS missed_payments_180d,
           sum(payments_due) * any_value(scale_to_180d) AS payments_due_180d,
           sum(payments_missed * pow(0.5, ($as_of - activity_date) / {RECENCY_HALF_LIFE_DAYS}))
               / nullif(sum(payments_due * pow(0.5, ($as_of - activity_date) / {RECENCY_HALF_LIFE_DAYS})), 0)
               AS miss_rate_recent
    FROM features.client_daily_activity, history
    WHERE activity_date BETWEEN $as_of - 179 AND $as_of GROUP BY client_id),
repayments AS (
    SELECT client_id, account_id, event_type, event_date, event_ts,
           max(event_ts) FILTER (WHERE event_type = 'payment_made') OVER (PARTITION BY client_id, account_id)
               AS last_made
    FROM warehouse.fact_events
    WHERE event_type IN ('payment_made', 'payment_missed') AND event_date BETWEEN $as_of - 179 AND $as_of),
arrears_by_account AS (
    SELECT client_id, account_id,
           count(*) FILTER (WHERE event_type = 'payment_missed' AND event_ts > coalesce(last_made, TIMESTAMP '-infinity'))
               AS missed_in_a_row,
           $as_of - min(event_date) FILTER (WHERE event_type = 'payment_missed'
                                            AND event_ts > coalesce(last_made, TIMESTAMP '-infinity')) AS days_past_due,
           max(event_date) FILTER (WHERE event_type = 'payment_missed') AS last_missed
    FROM repayments GROUP BY ALL),
arrears AS (
    SELECT client_id, max(missed_in_a_row) AS missed_in_a_row, max(days_past_due) AS days_past_due,
           count(*) FILTER (WHERE missed_in_a_row > 0) AS accounts_in_arrears,
           sum(missed_in_a_row) AS arrears_runs_total,
           $as_of - max(last_missed) AS days_since_missed
    FROM arrears_by_account GROUP BY client_id),
loan_rates AS (
    -- The loan's annual interest rate as the bank charged it at its latest repayment in the last 95 days (a client
    -- paying late still paid within three months, or defaulted): the instalment less the principal it repaid (the
    -- fall of the outstanding balance that day), over the balance outstanding before.
    SELECT e.client_id,
           arg_max(12 * (CAST(e.amount AS DOUBLE) - CAST(after.balance - before.balance AS DOUBLE))
                   / nullif(-CAST(before.balance AS DOUBLE), 0), e.event_ts) AS loan_interest_rate
    FROM warehouse.fact_events e
    JOIN warehouse.fact_account_balances before
      ON before.account_id = e.account_id AND before.snapshot_date = e.event_date - 1
         AND before.account_type = 'loan' AND before.balance < 0 AND before.snapshot_date >= $as_of - 95
    JOIN warehouse.fact_account_balances after
      ON after.account_id = e.account_id AND after.snapshot_date = e.event_date AND after.snapshot_date >= $as_of - 94
    WHERE e.event_type = 'payment_made' AND e.event_date BETWEEN $as_of - 94 AND $as_of
    GROUP BY e.client_id),
savings_then AS (
    SELECT client_id, sum(balance) AS savings_balance_30d_ago FROM warehouse.fact_account_balances
    WHERE snapshot_date = $as_of - 30 AND account_type = 'savings' AND is_open GROUP BY client_id)
SELECT $as_of, p.client_id, c.segment, c.employment_status, c.country,
       datediff('day', c.birth_date, $as_of) / 365.25, datediff('day', c.onboarding_date, $as_of),
       c.annual_income, c.pep_flag,
       p.products_held, p.has_card, p.has_loan, p.has_savings, coalesce(p.current_balance, 0),
       coalesce(p.savings_balance, 0), p.card_utilisation, p.loan_outstanding_share,
       b.avg_current_balance_30d, b.min_current_balance_30d, coalesce(b.days_overdrawn_30d, 0), b.balance_trend_7d_vs_30d,
       coalesce(a.recency_days, 90), coalesce(a.frequency_90d, 0), coalesce(a.monetary_90d, 0), a.avg_amount_90d,
       coalesce(a.tx_count_30d, 0), coalesce(a.tx_count_30d, 0) / nullif(a.frequency_90d / 3.0, 0),
       coalesce(a.inflow_30d, 0), coalesce(a.inflow_30d, 0) / nullif(a.inflow_90d / 3.0, 0),
       coalesce(a.salary_inflow_30d, 0), a.digital_share_90d, a.cash_share_90d, a.branch_share_90d,
       a.night_share_90d, a.foreign_share_90d, a.risky_merchant_share_90d,
       coalesce(a.payments_due_90d, 0), coalesce(a.missed_payments_90d, 0), coalesce(m.missed_payments_180d, 0),
       coalesce(a.complaints_90d, 0),
       coalesce(r.missed_in_a_row, 0), coalesce(r.days_past_due, 0), coalesce(r.accounts_in_arrears, 0),
       coalesce(r.days_since_missed, 180), coalesce(a.spend_30d, 0) / nullif(c.annual_income / 12, 0),
       a.risky_merchant_share_30d,
       CASE WHEN s.savings_balance_30d_ago > 1 THEN coalesce(p.savings_balance, 0) / s.savings_balance_30d_ago END,
       coalesce(m.payments_due_180d, 0), m.missed_payments_180d / nullif(m.payments_due_180d, 0), m.miss_rate_recent,
       coalesce(r.arrears_runs_total, 0), lr.loan_interest_rate, a.distress_purchase_share_30d,
       a.distress_purchase_share_90d
FROM population p
LEFT JOIN (SELECT * FROM clean.clients WHERE business_date <= $as_of
           QUALIFY row_number() OVER (PARTITION BY client_id ORDER BY business_date DESC, _row_number DESC) = 1) c
    USING (client_id)
LEFT JOIN balances b USING (client_id)
LEFT JOIN activity a USING (client_id)
LEFT JOIN missed_180 m USING (client_id)
LEFT JOIN arrears r USING (client_id)
LEFT JOIN savings_then s USING (client_id)
LEFT JOIN loan_rates lr USING (client_id)
ORDER BY p.client_id
"""


def load_client_daily_activity(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> None:
    """Replace days start..end of each client's daily activity (transactions and events summed per client and day)."""
    window, activity = {"start": start, "end": end}, table("features.client_daily_activity")
    ensure_table(con, activity.name, activity.ddl_columns)
    con.execute(f"DELETE FROM {activity.name} WHERE activity_date BETWEEN $start AND $end", window)
    con.execute(f"INSERT INTO {activity.name} {ACTIVITY_SQL}", window)


def load_client_features(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> None:
    """Replace as-of dates start..end of the client features, each computed only from data up to its as-of date."""
    features = table("features.client_features")
    ensure_table(con, features.name, features.ddl_columns)
    con.execute(f"DELETE FROM {features.name} WHERE as_of_date BETWEEN $start AND $end", {"start": start, "end": end})
    for as_of in days(start, end):
        con.execute(f"INSERT INTO {features.name} {FEATURES_SQL}", {"as_of": as_of})


TRANSACTION_FEATURES_SQL = f"""
SELECT t.transaction_id, t.transaction_date, t.client_id, t.account_id,
       CAST(t.amount AS DOUBLE) AS amount, t.hour_of_day, t.channel, t.direction,
       coalesce(t.merchant_category, 'none') AS merchant_category,
       CAST(t.counterparty_country <> coalesce(f.country, t.counterparty_country) AS INTEGER) AS foreign_counterparty,
       CAST(coalesce(t.merchant_category IN ({_RISKY}), false) AS INTEGER) AS risky_merchant,
       CAST(t.amount AS DOUBLE) / nullif(f.avg_amount_90d, 0) AS amount_vs_usual,
       count(*) OVER (PARTITION BY t.account_id, t.transaction_date) AS account_transactions_that_day,
       coalesce(epoch(t.transaction_ts - lag(t.transaction_ts) OVER (
           PARTITION BY t.account_id, t.transaction_date ORDER BY t.transaction_ts)), 86400) AS seconds_since_previous
FROM warehouse.fact_transactions t
LEFT JOIN features.client_features f ON f.client_id = t.client_id AND f.as_of_date = t.transaction_date - 1
WHERE t.transaction_date BETWEEN $start AND $end
"""
"""Per transaction: its amount against the client's usual (as of the day before), hour, channel, merchant,
counterparty country, and how fast the account was used that day; the anomaly model's inputs."""

TRANSACTION_KEYS = ["transaction_id", "transaction_date", "client_id", "account_id"]


def transaction_features(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date):
    """The anomaly model's inputs for transactions booked start..end, as a pandas frame."""
    return con.execute(TRANSACTION_FEATURES_SQL, {"start": start, "end": end}).df()
