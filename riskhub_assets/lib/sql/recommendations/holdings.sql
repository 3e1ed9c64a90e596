-- Per client onboarded by $d and product: held at the end of $d, and ever taken up by then (NULL: never held any).
SELECT c.client_id, h.product_code,
       coalesce(h.adoption_date <= $d AND (h.closure_date IS NULL OR h.closure_date > $d), FALSE) AS held,
       h.adoption_date <= $d AS ever
FROM warehouse.dim_client c
LEFT JOIN warehouse.fact_product_holdings h USING (client_id)
WHERE c.onboarding_date <= $d
