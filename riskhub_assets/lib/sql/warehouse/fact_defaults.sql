-- One row per client and day on which a default began, from every kind of evidence the bank sends: default events,
-- and facilities entering default. A facility's default began on the earliest of the day it was first reported in
-- default, its status_since (defaulted statuses) and the day its arrears reached $days_past_due days.
CREATE OR REPLACE TABLE warehouse.fact_defaults AS
WITH reports AS (
    SELECT *, coalesce(lag(in_default) OVER (PARTITION BY facility_id ORDER BY snapshot_date), false) AS was_in_default
    FROM warehouse.fact_credit_facility),
facility_defaults AS (
    SELECT client_id, snapshot_date AS reported_date,
           least(snapshot_date,
                 CASE WHEN status IN (SELECT unnest($defaulted_statuses::VARCHAR[])) THEN status_since END,
                 CASE WHEN days_past_due >= $days_past_due THEN snapshot_date - days_past_due + $days_past_due END)
               AS default_date,
           concat_ws(', ',
                     CASE WHEN days_past_due >= $days_past_due THEN 'days past due' END,
                     CASE WHEN default_flag THEN 'default flag' END,
                     CASE WHEN unlikely_to_pay THEN 'unlikely to pay' END,
                     CASE WHEN status IN (SELECT unnest($defaulted_statuses::VARCHAR[])) THEN 'status ' || status END)
               AS evidence
    FROM reports WHERE in_default AND NOT was_in_default),
evidence AS (
    SELECT client_id, reported_date, default_date, evidence FROM facility_defaults
    UNION ALL
    SELECT client_id, event_date AS reported_date, event_date AS default_date, 'default event' AS evidence
    FROM warehouse.fact_events WHERE event_type = 'default')
SELECT client_id, default_date, min(reported_date) AS reported_date,
       string_agg(DISTINCT evidence, '; ' ORDER BY evidence) AS evidence
FROM evidence
GROUP BY client_id, default_date
ORDER BY default_date, client_id
