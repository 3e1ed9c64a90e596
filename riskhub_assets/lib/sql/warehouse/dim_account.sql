-- One row per account: its state in its latest record (a change record, or a day of a full snapshot).
CREATE OR REPLACE TABLE warehouse.dim_account AS
SELECT account_id, client_id, account_type, currency, open_date, close_date, limit_or_principal,
       close_date IS NULL AS is_open, business_date AS last_record_date
FROM (
    SELECT *, row_number() OVER (PARTITION BY account_id ORDER BY business_date DESC, _row_number DESC) AS _latest
    FROM clean.accounts) records
WHERE _latest = 1
ORDER BY account_id
