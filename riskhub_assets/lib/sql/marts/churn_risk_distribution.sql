-- marts.churn_risk_distribution for business days $start..$end, columns in the order its Mart declares them.
SELECT as_of_date, risk_band, count(*), avg(churn_probability), sum(churn_probability),
       string_agg(DISTINCT model_version, ',')
FROM scores.churn_scores WHERE as_of_date BETWEEN $start AND $end GROUP BY ALL
