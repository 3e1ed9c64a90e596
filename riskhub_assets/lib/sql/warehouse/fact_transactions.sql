-- Business days $start..$end of fact_transactions: each booked transaction with the client owning its account that
-- day (account_days: each account's state on each day, from sql/clean/account_days.sql), and its amount in the
-- reporting currency at the rate in force that day (fx_rate_periods, from clean/fx_rate_periods.sql).
SELECT t.transaction_id, t.business_date, t."timestamp", t.account_id, a.client_id, t.amount,
       CASE WHEN t.direction = 'debit' THEN -t.amount ELSE t.amount END, t.currency, t.direction,
       t.channel, t.merchant_category, t.counterparty_country, hour(t."timestamp"),
       CAST(CAST(t.amount AS DECIMAL(38, 2)) * r.rate AS DECIMAL(38, 2))
FROM clean.transactions t
JOIN account_days a ON a.account_id = t.account_id AND a.day = t.business_date
LEFT JOIN fx_rate_periods r ON r.key = t.currency AND t.business_date BETWEEN r.valid_from AND r.valid_to
WHERE t.business_date BETWEEN $start AND $end
