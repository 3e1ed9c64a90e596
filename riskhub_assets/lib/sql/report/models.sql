-- The models (name and version) that filled each score table on business day $day.
SELECT DISTINCT model_name AS name, model_version AS version, 'default_scores' AS score_table
FROM scores.default_scores WHERE as_of_date = $day
UNION ALL SELECT DISTINCT model_name, model_version, 'churn_scores'
FROM scores.churn_scores WHERE as_of_date = $day
UNION ALL SELECT DISTINCT model_name, model_version, 'anomaly_flags'
FROM scores.anomaly_flags WHERE transaction_date = $day
ORDER BY score_table
