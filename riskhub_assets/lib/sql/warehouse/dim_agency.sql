-- One row per branch (agency): name, region and its managers' latest combined objective.
CREATE OR REPLACE TABLE warehouse.dim_agency AS
WITH last_snapshot AS (SELECT max(business_date) AS last_day FROM clean.relationship_managers)
SELECT agency_id, arg_max(agency_name, business_date) AS agency_name, arg_max(region, business_date) AS region,
       count(*) FILTER (WHERE business_date = last_day) AS active_managers,
       coalesce(sum(monthly_sales_objective) FILTER (WHERE business_date = last_day), 0) AS monthly_sales_objective
FROM clean.relationship_managers, last_snapshot
GROUP BY agency_id
ORDER BY agency_id
