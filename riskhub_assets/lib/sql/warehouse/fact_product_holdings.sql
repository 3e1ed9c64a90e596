-- One row per product holding, accounts included: the product system's holdings, and every account as the product
-- its type is (reference.account_types).
CREATE OR REPLACE TABLE warehouse.fact_product_holdings AS
SELECT holding_id, client_id, product_code, start_date AS adoption_date, end_date AS closure_date,
       end_date IS NULL AS is_held, 'product_system' AS source_system, NULL::VARCHAR AS account_id
FROM (
    SELECT *, row_number() OVER (PARTITION BY holding_id ORDER BY business_date DESC, _row_number DESC) AS _latest
    FROM clean.product_holdings) snapshots
WHERE _latest = 1
UNION ALL
SELECT a.account_id AS holding_id, a.client_id, t.product_code, a.open_date, a.close_date, a.is_open, 'accounts',
       a.account_id
FROM warehouse.dim_account a
INNER JOIN reference.account_types t ON a.account_type = t.code
ORDER BY client_id, adoption_date, holding_id
