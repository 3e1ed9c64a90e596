-- Transactions of business day $day per channel and currency, with debit and credit value.
SELECT channel, currency, sum(transactions) AS transactions,
       sum(value) FILTER (WHERE direction = 'debit') AS debit_value,
       sum(value) FILTER (WHERE direction = 'credit') AS credit_value
FROM marts.transaction_kpis WHERE business_date = $day GROUP BY ALL ORDER BY channel, currency
