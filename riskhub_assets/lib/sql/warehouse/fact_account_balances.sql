-- Business days $start..$end of fact_account_balances: each account's end-of-day balance and limit, and the balance
-- in the reporting currency at the rate in force that day (fx_rate_periods, from clean/fx_rate_periods.sql).
SELECT a.business_date, a.account_id, a.client_id, a.account_type, a.currency, a.balance, a.limit_or_principal,
       a.close_date IS NULL OR a.close_date > a.business_date,
       CAST(CAST(a.balance AS DECIMAL(38, 2)) * r.rate AS DECIMAL(38, 2))
FROM clean.accounts a
LEFT JOIN fx_rate_periods r ON r.key = a.currency AND a.business_date BETWEEN r.valid_from AND r.valid_to
WHERE a.business_date BETWEEN $start AND $end
