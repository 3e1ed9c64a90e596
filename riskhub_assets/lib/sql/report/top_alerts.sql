-- The $top_alerts transactions of business day $day ranked highest for review, with their reasons.
SELECT f.transaction_id, f.client_id, t.amount, t.currency, t.channel, f.anomaly_score,
       list_filter([f.feature_1, f.feature_2, f.feature_3], LAMBDA x: x IS NOT NULL) AS reasons
FROM scores.anomaly_flags f JOIN warehouse.fact_transactions t USING (transaction_id)
WHERE f.transaction_date = $day AND f.flagged
ORDER BY f.alert_rank LIMIT $top_alerts
