-- Business days $start..$end of the BI anomaly view: every transaction flagged for review, and a fixed sample of
-- $anomaly_sample unflagged ones per day to compare with.
SELECT f.transaction_id, f.transaction_date, f.client_id, t.amount, t.currency, t.channel,
       t.merchant_category, count(*) OVER (PARTITION BY t.account_id, t.transaction_date)
           AS account_transactions_that_day,
       f.anomaly_score, f.flagged, f.alert_rank, f.feature_1, f.feature_2, f.feature_3, f.model_version
FROM scores.anomaly_flags f JOIN warehouse.fact_transactions t USING (transaction_id)
WHERE f.transaction_date BETWEEN $start AND $end AND t.transaction_date BETWEEN $start AND $end
QUALIFY f.flagged OR row_number() OVER (PARTITION BY f.transaction_date, f.flagged
                                       ORDER BY hash(f.transaction_id)) <= $anomaly_sample
