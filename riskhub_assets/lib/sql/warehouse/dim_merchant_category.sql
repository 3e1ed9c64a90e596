-- One row per merchant category code of the bank's reference list.
CREATE OR REPLACE TABLE warehouse.dim_merchant_category AS
SELECT
    code AS merchant_category,
    description
FROM reference.merchant_categories
ORDER BY merchant_category
