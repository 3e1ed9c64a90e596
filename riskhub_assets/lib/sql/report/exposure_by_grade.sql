-- Exposure and expected loss proxy per grade and currency on business day $day.
SELECT grade, currency, exposure, expected_loss_proxy FROM marts.credit_risk_by_grade
WHERE as_of_date = $day AND currency <> 'none' ORDER BY grade, currency
