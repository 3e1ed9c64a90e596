-- The client features as of $as_of, each computed only from data up to that date; money in the reporting currency,
-- ratios of an account to its own limit in the account's currency. A share whose input the bank did
-- not send (time of day, counterparty country, merchant category) is NULL: a missing feature, not a zero. Age is in
-- whole years from the birth month (the clean layer keeps no birth day): a birthday counts from the month's first day.
WITH accounts AS (
    SELECT client_id,
           count(*) AS products_held,
           bool_or(account_type = 'card') AS has_card,
           bool_or(account_type = 'loan') AS has_loan,
           bool_or(account_type = 'savings') AS has_savings,
           sum(balance_reporting) FILTER (WHERE account_type = 'current') AS current_balance,
           sum(balance_reporting) FILTER (WHERE account_type = 'savings') AS savings_balance,
           sum(-balance) FILTER (WHERE account_type = 'card')
               / nullif(sum(limit_or_principal) FILTER (WHERE account_type = 'card'), 0) AS card_utilisation,
           sum(-balance) FILTER (WHERE account_type = 'loan')
               / nullif(sum(limit_or_principal) FILTER (WHERE account_type = 'loan'), 0) AS loan_outstanding_share
    FROM warehouse.fact_account_balances
    WHERE snapshot_date = $as_of AND is_open
    GROUP BY client_id),
population AS (
    SELECT a.* FROM accounts a
    WHERE NOT EXISTS (SELECT 1 FROM warehouse.fact_defaults d
                      WHERE d.client_id = a.client_id AND d.reported_date <= $as_of)),
balances AS (
    SELECT client_id, avg(day_balance) AS avg_current_balance_30d, min(day_balance) AS min_current_balance_30d,
           count(*) FILTER (WHERE day_balance < 0) AS days_overdrawn_30d,
           avg(day_balance) FILTER (WHERE snapshot_date > $as_of - 7) - avg(day_balance) AS balance_trend_7d_vs_30d
    FROM (SELECT client_id, snapshot_date, sum(balance_reporting) AS day_balance FROM warehouse.fact_account_balances
          WHERE account_type = 'current' AND snapshot_date BETWEEN $as_of - 29 AND $as_of GROUP BY ALL) daily
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
               / nullif(sum(merchant_known_count) FILTER (WHERE activity_date > $as_of - 30), 0)
               AS risky_merchant_share_30d,
           sum(digital_count) / nullif(sum(tx_count), 0) AS digital_share_90d,
           sum(cash_count) / nullif(sum(tx_count), 0) AS cash_share_90d,
           sum(branch_count) / nullif(sum(tx_count), 0) AS branch_share_90d,
           sum(night_count) / nullif(sum(timed_count), 0) AS night_share_90d,
           sum(foreign_count) / nullif(sum(counterparty_known_count), 0) AS foreign_share_90d,
           sum(risky_merchant_count) / nullif(sum(merchant_known_count), 0) AS risky_merchant_share_90d,
           sum(payments_due) AS payments_due_90d, sum(payments_missed) AS missed_payments_90d,
           sum(complaints) AS complaints_90d,
           sum(distress_purchase_count) FILTER (WHERE activity_date > $as_of - 30)
               / nullif(sum(known_purchase_count) FILTER (WHERE activity_date > $as_of - 30), 0)
               AS distress_purchase_share_30d,
           sum(distress_purchase_count) / nullif(sum(known_purchase_count), 0) AS distress_purchase_share_90d
    FROM features.client_daily_activity
    WHERE activity_date BETWEEN $as_of - 89 AND $as_of
    GROUP BY client_id),
missed_180 AS (
    -- Over the part of the last 180 days the loaded history covers: a rate means the same over a shorter window,
    -- where a count would be smaller (or, scaled up, take values the full window never does).
    SELECT client_id, sum(payments_missed) / nullif(sum(payments_due), 0) AS miss_rate_180d,
           sum(payments_missed * pow(0.5, ($as_of - activity_date) / $recency_half_life_days))
               / nullif(sum(payments_due * pow(0.5, ($as_of - activity_date) / $recency_half_life_days)), 0)
               AS miss_rate_recent
    FROM features.client_daily_activity
    WHERE activity_date BETWEEN $as_of - 179 AND $as_of GROUP BY client_id),
repayments AS (
    SELECT client_id, account_id, event_type, event_date, event_ts,
           max(event_ts) FILTER (WHERE event_type = 'payment_made') OVER (PARTITION BY client_id, account_id)
               AS last_made
    FROM warehouse.fact_events
    WHERE event_type IN ('payment_made', 'payment_missed') AND event_date BETWEEN $as_of - 179 AND $as_of),
arrears_by_account AS (
    SELECT client_id, account_id,
           count(*) FILTER (WHERE event_type = 'payment_missed'
                            AND event_ts > coalesce(last_made, TIMESTAMP '-infinity')) AS missed_in_a_row,
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
    SELECT client_id, sum(balance_reporting) AS savings_balance_30d_ago FROM warehouse.fact_account_balances
    WHERE snapshot_date = $as_of - 30 AND account_type = 'savings' AND is_open GROUP BY client_id)
SELECT $as_of, p.client_id, c.segment, c.employment_status, c.country,
       date_sub('year', c.birth_month, $as_of), datediff('day', c.onboarding_date, $as_of),
       c.annual_income, c.pep_flag,
       p.products_held, p.has_card, p.has_loan, p.has_savings, coalesce(p.current_balance, 0),
       coalesce(p.savings_balance, 0), p.card_utilisation, p.loan_outstanding_share,
       b.avg_current_balance_30d, b.min_current_balance_30d, coalesce(b.days_overdrawn_30d, 0),
       b.balance_trend_7d_vs_30d,
       coalesce(a.recency_days, 90), coalesce(a.frequency_90d, 0), coalesce(a.monetary_90d, 0), a.avg_amount_90d,
       coalesce(a.tx_count_30d, 0), coalesce(a.tx_count_30d, 0) / nullif(a.frequency_90d / 3.0, 0),
       coalesce(a.inflow_30d, 0), coalesce(a.inflow_30d, 0) / nullif(a.inflow_90d / 3.0, 0),
       coalesce(a.salary_inflow_30d, 0), a.digital_share_90d, a.cash_share_90d, a.branch_share_90d,
       a.night_share_90d, a.foreign_share_90d, a.risky_merchant_share_90d,
       coalesce(a.payments_due_90d, 0), coalesce(a.missed_payments_90d, 0),
       coalesce(a.complaints_90d, 0),
       coalesce(r.missed_in_a_row, 0), coalesce(r.days_past_due, 0), coalesce(r.accounts_in_arrears, 0),
       coalesce(r.days_since_missed, 180), coalesce(a.spend_30d, 0) / nullif(c.annual_income / 12, 0),
       a.risky_merchant_share_30d,
       CASE WHEN s.savings_balance_30d_ago > 1 THEN coalesce(p.savings_balance, 0) / s.savings_balance_30d_ago END,
       m.miss_rate_180d, m.miss_rate_recent,
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
