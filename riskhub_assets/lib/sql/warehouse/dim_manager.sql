-- One row per relationship manager: branch, hire date and the latest monthly objective.
CREATE OR REPLACE TABLE warehouse.dim_manager AS
SELECT manager_id, agency_id, hire_date, monthly_sales_objective, first_seen_date,
       business_date AS last_snapshot_date, business_date = max(business_date) OVER () AS is_active
FROM (
    SELECT *, min(business_date) OVER (PARTITION BY manager_id) AS first_seen_date,
           row_number() OVER (PARTITION BY manager_id ORDER BY business_date DESC, _row_number DESC) AS _latest
    FROM clean.relationship_managers) snapshots
WHERE _latest = 1
ORDER BY manager_id
