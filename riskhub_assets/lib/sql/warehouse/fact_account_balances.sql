-- Business days $start..$end of fact_account_balances: each account's end-of-day balance and limit.
SELECT business_date, account_id, client_id, account_type, currency, balance, limit_or_principal,
       close_date IS NULL OR close_date > business_date
FROM clean.accounts WHERE business_date BETWEEN $start AND $end
