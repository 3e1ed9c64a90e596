-- marts.anomaly_kpis for business days $start..$end, columns in the order its Mart declares them.
SELECT f.transaction_date, t.channel, t.currency, count(*), count(*) FILTER (WHERE f.flagged),
       count(*) FILTER (WHERE f.flagged) / count(*), coalesce(sum(t.amount) FILTER (WHERE f.flagged), 0),
       string_agg(DISTINCT f.model_version, ',')
FROM scores.anomaly_flags f
JOIN warehouse.fact_transactions t USING (transaction_id)
WHERE f.transaction_date BETWEEN $start AND $end
GROUP BY ALL
