-- One row per client: the latest clean KYC record (every column of the contract, personal data pseudonymised), with
-- the days it was first seen and last updated.
CREATE OR REPLACE TABLE warehouse.dim_client AS
SELECT * EXCLUDE (business_date, _file, _row_number, first_seen_date, _latest), first_seen_date,
       business_date AS last_updated_date
FROM (
    SELECT *, min(business_date) OVER (PARTITION BY client_id) AS first_seen_date,
           row_number() OVER (PARTITION BY client_id ORDER BY business_date DESC, _row_number DESC) AS _latest
    FROM clean.clients) records
WHERE _latest = 1
ORDER BY client_id
