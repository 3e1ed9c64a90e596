-- One row per product holding, accounts included: the product system's holdings, and every account as the product
-- its type maps to ($account_types[i] is held as $account_products[i]).
CREATE OR REPLACE TABLE warehouse.fact_product_holdings AS
SELECT holding_id, client_id, product_code, start_date AS adoption_date, end_date AS closure_date,
       end_date IS NULL AS is_held, 'product_system' AS source_system, NULL::VARCHAR AS account_id
FROM (
    SELECT *, row_number() OVER (PARTITION BY holding_id ORDER BY business_date DESC, _row_number DESC) AS _latest
    FROM clean.product_holdings) snapshots
WHERE _latest = 1
UNION ALL
SELECT account_id AS holding_id, client_id, map($account_types, $account_products)[account_type], open_date,
       close_date, is_open, 'accounts', account_id
FROM warehouse.dim_account
ORDER BY client_id, adoption_date, holding_id
