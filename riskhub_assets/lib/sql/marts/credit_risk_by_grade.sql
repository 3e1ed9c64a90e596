-- marts.credit_risk_by_grade for business days $start..$end, columns in the order its Mart declares them.
WITH exposure AS (SELECT snapshot_date, client_id, currency, sum(-balance) AS exposure
                  FROM warehouse.fact_account_balances
                  WHERE snapshot_date BETWEEN $start AND $end AND is_open AND account_type IN ('card', 'loan')
                  GROUP BY ALL)
SELECT s.as_of_date, s.grade, coalesce(e.currency, 'none'), count(DISTINCT s.client_id),
       avg(s.probability_of_default), sum(s.probability_of_default),
       coalesce(sum(e.exposure), 0), coalesce(sum(s.probability_of_default * e.exposure), 0),
       string_agg(DISTINCT s.model_version, ',')
FROM scores.default_scores s
LEFT JOIN exposure e ON e.client_id = s.client_id AND e.snapshot_date = s.as_of_date
WHERE s.as_of_date BETWEEN $start AND $end
GROUP BY ALL
