-- Business days $start..$end of fact_account_balances: each account's end-of-day balance where one was sent, from
-- balances.csv (which wins) or else the account's own record that day; never carried forward from an earlier day.
-- Account attributes are the account's state that day (account_days, from sql/clean/account_days.sql); the balance
-- in the reporting currency is at the rate in force that day (fx_rate_periods, from clean/fx_rate_periods.sql).
SELECT s.*, CAST(CAST(s.balance AS DECIMAL(38, 2)) * r.rate AS DECIMAL(38, 2))
FROM (
    SELECT a.business_date, a.account_id, a.client_id, a.account_type, a.currency, a.balance, a.limit_or_principal,
           a.close_date IS NULL OR a.close_date > a.business_date AS is_open
    FROM clean.accounts a
    WHERE a.business_date BETWEEN $start AND $end AND a.balance IS NOT NULL
          AND NOT EXISTS (
              SELECT 1 FROM clean.balances b
              WHERE b.business_date BETWEEN $start AND $end
                    AND b.business_date = a.business_date AND b.account_id = a.account_id
          )
    UNION ALL
    SELECT b.business_date, b.account_id, d.client_id, d.account_type, d.currency, b.balance, d.limit_or_principal,
           d.close_date IS NULL OR d.close_date > b.business_date
    FROM clean.balances b
    JOIN account_days d ON d.account_id = b.account_id AND d.day = b.business_date
    WHERE b.business_date BETWEEN $start AND $end
) s
LEFT JOIN fx_rate_periods r ON r.key = s.currency AND s.business_date BETWEEN r.valid_from AND r.valid_to
