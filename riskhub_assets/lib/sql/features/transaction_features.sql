-- Per transaction booked $start..$end: its amount (in the reporting currency) against the client's usual (as of the
-- day before) and against the median of the account's own amounts in the same channel over the 90 days before, hour,
-- channel, merchant, counterparty country, and how fast the account was used that day; the anomaly model's inputs.
-- What the bank did not send (time of day, counterparty country, a card payment's merchant) is NULL, not a made-up
-- value; an account without a transaction in the channel in those 90 days has no median.
WITH account_usual AS (
    SELECT transaction_id,
           median(amount_reporting) OVER (
               PARTITION BY account_id, channel ORDER BY transaction_date
               RANGE BETWEEN INTERVAL 90 DAY PRECEDING AND INTERVAL 1 DAY PRECEDING
           ) AS account_median_amount_90d
    FROM warehouse.fact_transactions
    WHERE transaction_date BETWEEN CAST($start AS DATE) - INTERVAL 90 DAY AND $end
    QUALIFY transaction_date >= $start
)

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
       CAST(u.account_median_amount_90d AS DOUBLE) AS account_median_amount_90d,
       count(*) OVER (PARTITION BY t.account_id, t.transaction_date) AS account_transactions_that_day,
       CASE WHEN t.transaction_ts IS NOT NULL
            THEN coalesce(epoch(t.transaction_ts - lag(t.transaction_ts) OVER (
                PARTITION BY t.account_id, t.transaction_date ORDER BY t.transaction_ts)), 86400)
       END AS seconds_since_previous
FROM warehouse.fact_transactions t
LEFT JOIN account_usual u USING (transaction_id)
LEFT JOIN features.client_features f ON f.client_id = t.client_id AND f.as_of_date = t.transaction_date - 1
WHERE t.transaction_date BETWEEN $start AND $end
