-- Clients and mean churn probability per churn-risk band on business day $day.
SELECT risk_band, clients, average_churn_probability FROM marts.churn_risk_distribution
WHERE as_of_date = $day ORDER BY average_churn_probability, risk_band
