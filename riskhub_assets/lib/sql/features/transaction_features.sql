-- Per transaction booked $start..$end: its amount (in the reporting currency) against the client's usual (as of the
-- day before), hour, channel, merchant, counterparty country, and how fast the account was used that day; the
-- anomaly model's inputs. What the bank did not send (time of day, counterparty country, a card payment's merchant)
-- is NULL, not a made-up value.
SELECT t.transaction_id, t.transaction_date, t.client_id, t.account_id,
       CAST(t.amount_reporting AS DOUBLE) AS amount, CAST(t.hour_of_day AS DOUBLE) AS hour_of_day, t.channel,
       t.direction,
       CASE WHEN t.merchant_category IS NOT NULL OR NOT list_contains($merchant_channels, t.channel)
            THEN coalesce(t.merchant_category, 'none') END AS merchant_category,
       CAST(t.counterparty_country <> coalesce(f.country, t.counterparty_country) AS INTEGER) AS foreign_counterparty,
       CASE WHEN t.merchant_category IS NOT NULL OR NOT list_contains($merchant_channels, t.channel)
            THEN CAST(coalesce(list_contains($risky_merchants, t.merchant_category), FALSE) AS INTEGER)
       END AS risky_merchant,
       CAST(t.amount_reporting AS DOUBLE) / nullif(f.avg_amount_90d, 0) AS amount_vs_usual,
       count(*) OVER (PARTITION BY t.account_id, t.transaction_date) AS account_transactions_that_day,
       CASE WHEN t.transaction_ts IS NOT NULL
            THEN coalesce(epoch(t.transaction_ts - lag(t.transaction_ts) OVER (
                PARTITION BY t.account_id, t.transaction_date ORDER BY t.transaction_ts)), 86400)
       END AS seconds_since_previous
FROM warehouse.fact_transactions t
LEFT JOIN features.client_features f ON f.client_id = t.client_id AND f.as_of_date = t.transaction_date - 1
WHERE t.transaction_date BETWEEN $start AND $end
