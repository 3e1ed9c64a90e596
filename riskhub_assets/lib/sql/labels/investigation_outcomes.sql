-- Each investigated transaction's latest outcome (a later decision wins): 1 = confirmed fraud, 0 = false positive.
SELECT transaction_id, CAST(outcome = 'confirmed_fraud' AS INTEGER) AS confirmed_fraud
FROM clean.investigation_outcomes
QUALIFY row_number() OVER (PARTITION BY transaction_id ORDER BY decision_date DESC, business_date DESC) = 1
