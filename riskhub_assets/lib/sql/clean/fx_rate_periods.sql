-- The rate into the reporting currency in force for each currency and day, up to $end: a fixing holds from its
-- day until the next one, for at most a week; the reporting currency converts at 1.
SELECT
    currency AS key,
    rate,
    business_date AS valid_from,
    least(
        coalesce(lead(business_date) OVER (PARTITION BY currency ORDER BY business_date) - 1, DATE '9999-12-31'),
        business_date + 6
    ) AS valid_to
FROM clean.fx_rates
WHERE business_date <= $end AND currency NOT IN (SELECT code FROM reference.currencies WHERE reporting = '1')
UNION ALL
SELECT
    code AS key,
    1 AS rate,
    DATE '0001-01-01' AS valid_from,
    DATE '9999-12-31' AS valid_to
FROM reference.currencies
WHERE reporting = '1'
