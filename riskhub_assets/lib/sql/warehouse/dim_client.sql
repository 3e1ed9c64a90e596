-- One row per client: the latest clean KYC record (every column of the contract, personal data pseudonymised, birth
-- kept to its year and income to its band), with the days it was first seen and last updated.
CREATE OR REPLACE TABLE warehouse.dim_client AS
SELECT * EXCLUDE (business_date, _file, _row_number, first_seen_date, _latest, birth_month, annual_income),
       CAST(year(birth_month) AS INTEGER) AS birth_year,
       CASE WHEN annual_income < 0 THEN 'negative'  -- in no band: the income_band check refuses it
            WHEN annual_income < 20000 THEN 'under 20k'
            WHEN annual_income < 40000 THEN '20k-40k'
            WHEN annual_income < 70000 THEN '40k-70k'
            WHEN annual_income < 120000 THEN '70k-120k'
            WHEN annual_income >= 120000 THEN '120k and over'
       END AS income_band,
       first_seen_date, business_date AS last_updated_date
FROM (
    SELECT *, min(business_date) OVER (PARTITION BY client_id) AS first_seen_date,
           row_number() OVER (PARTITION BY client_id ORDER BY business_date DESC, _row_number DESC) AS _latest
    FROM clean.clients) records
WHERE _latest = 1
ORDER BY client_id
