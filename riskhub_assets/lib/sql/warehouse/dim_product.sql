-- One row per product of the bank's catalogue, and whether an account type holds it.
CREATE OR REPLACE TABLE warehouse.dim_product AS
SELECT
    p.code AS product_code,
    p.family AS product_family,
    p.description AS product_name,
    p.code IN (SELECT a.product_code FROM reference.account_types a) AS held_as_account
FROM reference.products p
ORDER BY product_code
