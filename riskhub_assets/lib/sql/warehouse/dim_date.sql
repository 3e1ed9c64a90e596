-- One row per calendar day 1900-2099, with year, quarter, month and weekday.
CREATE OR REPLACE TABLE warehouse.dim_date AS
SELECT CAST(d AS DATE) AS date, year(d) AS year, quarter(d) AS quarter, month(d) AS month,
       monthname(d) AS month_name, day(d) AS day_of_month, isodow(d) AS iso_day_of_week,
       dayname(d) AS day_name, isodow(d) >= 6 AS is_weekend, CAST(date_trunc('month', d) AS DATE) AS month_start,
       CAST(last_day(d) AS DATE) AS month_end, strftime(d, '%Y-%m') AS year_month
FROM range(DATE '1900-01-01', DATE '2100-01-01', INTERVAL 1 DAY) AS r(d)  -- noqa: AL01, AL05, LT01
