-- marts.portfolio_kpis for business days $start..$end, columns in the order its Mart declares them.
WITH days AS (SELECT DISTINCT snapshot_date AS d FROM warehouse.fact_account_balances
              WHERE snapshot_date BETWEEN $start AND $end),
balances AS (SELECT snapshot_date AS d, count(DISTINCT client_id) FILTER (WHERE is_open) AS active_clients,
                    count(*) FILTER (WHERE is_open) AS active_accounts
             FROM warehouse.fact_account_balances WHERE snapshot_date BETWEEN $start AND $end GROUP BY ALL),
opened AS (SELECT open_date AS d, count(*) AS n FROM warehouse.dim_account
           WHERE open_date BETWEEN $start AND $end GROUP BY ALL),
closed AS (SELECT close_date AS d, count(*) AS n FROM warehouse.dim_account
           WHERE close_date BETWEEN $start AND $end GROUP BY ALL),
transacting AS (SELECT transaction_date AS d, count(DISTINCT client_id) AS n FROM warehouse.fact_transactions
                WHERE transaction_date BETWEEN $start AND $end GROUP BY ALL),
events AS (SELECT event_date AS d, count(*) FILTER (WHERE event_type = 'complaint') AS complaints
           FROM warehouse.fact_events WHERE event_date BETWEEN $start AND $end GROUP BY ALL),
defaults AS (SELECT default_date AS d, count(DISTINCT client_id) AS n FROM warehouse.fact_defaults
             WHERE default_date BETWEEN $start AND $end GROUP BY ALL)
SELECT days.d, coalesce(b.active_clients, 0), coalesce(b.active_accounts, 0), coalesce(o.n, 0),
       coalesce(c.n, 0), coalesce(t.n, 0), coalesce(f.n, 0), coalesce(e.complaints, 0)
FROM days LEFT JOIN balances b USING (d) LEFT JOIN opened o USING (d) LEFT JOIN closed c USING (d)
LEFT JOIN transacting t USING (d) LEFT JOIN events e USING (d) LEFT JOIN defaults f USING (d)
