-- One row per event type of the bank's reference list.
CREATE OR REPLACE TABLE warehouse.dim_event_type AS
SELECT
    code AS event_type,
    description
FROM reference.event_types
ORDER BY event_type
