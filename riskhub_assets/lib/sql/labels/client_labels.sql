-- Default and churn outcomes, and the future RFM, in the $horizon days after each as-of date of $dates.
-- A default is one that began in the horizon, from any evidence (warehouse.fact_defaults, docs/default_definition.md).
SELECT f.as_of_date, f.client_id,
       EXISTS (SELECT 1 FROM warehouse.fact_defaults d  -- noqa: LT01, LT06
               WHERE d.client_id = f.client_id
               AND d.default_date > f.as_of_date AND d.default_date <= f.as_of_date + $horizon) AS default_label,
       NOT EXISTS (SELECT 1 FROM warehouse.fact_account_balances b WHERE b.client_id = f.client_id AND b.is_open
                   AND b.snapshot_date = f.as_of_date + $horizon)
       OR coalesce((SELECT sum(a.tx_count) FROM features.client_daily_activity a WHERE a.client_id = f.client_id
                    AND a.activity_date > f.as_of_date + $horizon - $inactivity
                    AND a.activity_date <= f.as_of_date + $horizon), 0) = 0 AS churn_label,
       coalesce(r.future_recency_days, $horizon) AS future_recency_days,
       coalesce(r.future_frequency, 0) AS future_frequency,
       coalesce(r.future_monetary, 0) AS future_monetary
FROM features.client_features f
LEFT JOIN (
    SELECT d.as_of_date, a.client_id,
           d.as_of_date + $horizon - max(a.activity_date) FILTER (WHERE a.tx_count > 0) AS future_recency_days,
           sum(a.tx_count) AS future_frequency, sum(a.debit_amount) AS future_monetary
    FROM (SELECT unnest($dates::DATE[]) AS as_of_date) d
    JOIN features.client_daily_activity a
      ON a.activity_date > d.as_of_date AND a.activity_date <= d.as_of_date + $horizon
    GROUP BY d.as_of_date, a.client_id) r USING (as_of_date, client_id)
WHERE f.as_of_date IN (SELECT unnest($dates::DATE[]))
ORDER BY f.as_of_date, f.client_id
