-- Clients with coarse attributes only: no names, contacts, birth dates or incomes.
SELECT client_id, segment, country, employment_status,
       CAST(floor(datediff('year', birth_date, current_date) / 10) * 10 AS INTEGER) AS age_band,
       strftime(onboarding_date, '%Y-%m') AS onboarding_month
FROM warehouse.dim_client
