-- Transactions scored and flagged on business day $day, and the alert rate.
SELECT coalesce(sum(transactions), 0) AS transactions, coalesce(sum(flagged), 0) AS flagged,
       coalesce(sum(flagged) / nullif(sum(transactions), 0), 0) AS alert_rate
FROM marts.anomaly_kpis WHERE transaction_date = $day
