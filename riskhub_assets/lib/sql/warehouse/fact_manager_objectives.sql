-- One row per relationship manager per month: the month's sales objective.
CREATE OR REPLACE TABLE warehouse.fact_manager_objectives AS
SELECT CAST(date_trunc('month', business_date) AS DATE) AS month_start, manager_id,
       arg_max(agency_id, business_date) AS agency_id,
       arg_max(monthly_sales_objective, business_date) AS monthly_sales_objective
FROM clean.relationship_managers
GROUP BY ALL
ORDER BY month_start, manager_id
