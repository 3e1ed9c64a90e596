-- Per transaction booked $start..$end: its amount against the client's usual (as of the day before), hour, channel,
-- merchant, counterparty country, and how fast the account was used that day; the anomaly model's inputs.
SELECT t.transaction_id, t.transaction_date, t.client_id, t.account_id,
       CAST(t.amount AS DOUBLE) AS amount, t.hour_of_day, t.channel, t.direction,
       coalesce(t.merchant_category, 'none') AS merchant_category,
       CAST(t.counterparty_country <> coalesce(f.country, t.counterparty_country) AS INTEGER) AS foreign_counterparty,
       CAST(coalesce(list_contains($risky_merchants, t.merchant_category), false) AS INTEGER) AS risky_merchant,
       CAST(t.amount AS DOUBLE) / nullif(f.avg_amount_90d, 0) AS amount_vs_usual,
       count(*) OVER (PARTITION BY t.account_id, t.transaction_date) AS account_transactions_that_day,
       coalesce(epoch(t.transaction_ts - lag(t.transaction_ts) OVER (
           PARTITION BY t.account_id, t.transaction_date ORDER BY t.transaction_ts)), 86400) AS seconds_since_previous
FROM warehouse.fact_transactions t
LEFT JOIN features.client_features f ON f.client_id = t.client_id AND f.as_of_date = t.transaction_date - 1
WHERE t.transaction_date BETWEEN $start AND $end
