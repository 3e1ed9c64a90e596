-- Clients with coarse attributes only: no names, contacts, birth dates or incomes; age and income as bands.
SELECT client_id, segment, country, employment_status,
       CAST(floor((year(current_date) - birth_year) / 10) * 10 AS INTEGER) AS age_band, income_band,
       strftime(onboarding_date, '%Y-%m') AS onboarding_month
FROM warehouse.dim_client
