-- One row per relationship manager per month up to $last: objective, sales and the features known at month start.
WITH months AS (
    SELECT o.month_start, o.manager_id, o.agency_id, o.monthly_sales_objective AS objective, m.hire_date
    FROM warehouse.fact_manager_objectives o JOIN warehouse.dim_manager m USING (manager_id)
    WHERE o.month_start <= $last),
portfolio AS (
    SELECT mo.month_start, mo.manager_id, c.client_id,
           count(h.holding_id) FILTER (WHERE h.adoption_date < mo.month_start
               AND (h.closure_date IS NULL OR h.closure_date >= mo.month_start)) AS products,
           count(h.holding_id) FILTER (WHERE h.source_system = 'product_system' AND h.adoption_date < mo.month_start
               AND (h.closure_date IS NULL OR h.closure_date >= mo.month_start)) AS sold_products,
           count(h.holding_id) FILTER (WHERE h.source_system = 'product_system'
               AND h.adoption_date BETWEEN mo.month_start AND least(last_day(mo.month_start), $last)) AS sales
    FROM months mo
    JOIN warehouse.dim_client c ON c.manager_id = mo.manager_id AND c.onboarding_date < mo.month_start
    LEFT JOIN warehouse.fact_product_holdings h USING (client_id)
    GROUP BY ALL)
SELECT mo.month_start, mo.manager_id, mo.agency_id, a.region, mo.objective, mo.hire_date,
       last_day(mo.month_start) <= $last AS complete,
       count(p.client_id) FILTER (WHERE p.products > 0) AS portfolio_clients,
       coalesce(avg(p.products) FILTER (WHERE p.products > 0), 0) AS products_per_client,
       coalesce(avg(p.sold_products) FILTER (WHERE p.products > 0), 0) AS sold_products_per_client,
       coalesce(avg((p.sold_products = 0)::INT) FILTER (WHERE p.products > 0), 0) AS share_without_sold_products,
       coalesce(sum(p.sales), 0) AS sales
FROM months mo
JOIN warehouse.dim_agency a USING (agency_id)
LEFT JOIN portfolio p USING (month_start, manager_id)
GROUP BY ALL
