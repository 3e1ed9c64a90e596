-- marts.transaction_kpis for business days $start..$end, columns in the order its Mart declares them.
SELECT t.transaction_date, t.channel, coalesce(c.segment, 'unknown'), coalesce(t.merchant_category, 'none'),
       t.direction, t.currency, count(*), count(DISTINCT t.client_id), sum(t.amount), round(avg(t.amount), 2)
FROM warehouse.fact_transactions t
ASOF LEFT JOIN clean.clients c ON c.client_id = t.client_id AND t.transaction_date >= c.business_date
WHERE t.transaction_date BETWEEN $start AND $end
GROUP BY ALL
