-- Days $start..$end of each client's daily activity: transactions and events summed per client and day, amounts in
-- the reporting currency (comparable whatever currency an account is held in). Night,
-- foreign and merchant counts come with the count of transactions whose time, counterparty or merchant is known.
WITH tx AS (
    SELECT f.transaction_date AS activity_date, f.client_id,
           count(*) AS tx_count,
           count(*) FILTER (WHERE f.direction = 'debit') AS debit_count,
           coalesce(sum(f.amount_reporting) FILTER (WHERE f.direction = 'debit'), 0) AS debit_amount,
           coalesce(sum(f.amount_reporting) FILTER (WHERE f.direction = 'credit'), 0) AS credit_amount,
           coalesce(max(f.amount_reporting) FILTER (WHERE f.direction = 'debit'), 0) AS max_debit,
           count(*) FILTER (WHERE f.hour_of_day < 6 OR f.hour_of_day >= 23) AS night_count,
           count(f.hour_of_day) AS timed_count,
           count(*) FILTER (WHERE f.counterparty_country <> c.country) AS foreign_count,
           count(f.counterparty_country) AS counterparty_known_count,
           count(*) FILTER (WHERE list_contains($risky_merchants, f.merchant_category)) AS risky_merchant_count,
           count(*) FILTER (WHERE f.merchant_category IS NOT NULL OR NOT list_contains($merchant_channels, f.channel))
               AS merchant_known_count,
           count(*) FILTER (WHERE f.channel IN ('mobile', 'internet', 'ecommerce')) AS digital_count,
           count(*) FILTER (WHERE f.channel = 'atm') AS cash_count,
           count(*) FILTER (WHERE f.channel = 'branch') AS branch_count,
           coalesce(sum(f.amount_reporting) FILTER (WHERE f.direction = 'credit' AND f.channel = 'transfer'), 0)
               AS transfer_inflow,
           count(*) FILTER (WHERE f.direction = 'debit' AND f.channel IN ('pos', 'ecommerce')) AS purchase_count,
           count(*) FILTER (WHERE f.direction = 'debit' AND f.channel IN ('pos', 'ecommerce')
                            AND list_contains($distress_merchants, f.merchant_category)) AS distress_purchase_count,
           count(f.merchant_category) FILTER (WHERE f.direction = 'debit' AND f.channel IN ('pos', 'ecommerce'))
               AS known_purchase_count
    FROM warehouse.fact_transactions f
    ASOF LEFT JOIN clean.clients c ON c.client_id = f.client_id AND f.transaction_date >= c.business_date
    WHERE f.transaction_date BETWEEN $start AND $end
    GROUP BY ALL),
ev AS (
    SELECT event_date AS activity_date, client_id,
           count(*) FILTER (WHERE event_type = 'payment_due') AS payments_due,
           count(*) FILTER (WHERE event_type = 'payment_missed') AS payments_missed,
           count(*) FILTER (WHERE event_type = 'complaint') AS complaints,
           count(*) FILTER (WHERE event_type = 'default') AS defaults
    FROM warehouse.fact_events WHERE event_date BETWEEN $start AND $end
    GROUP BY ALL)
SELECT activity_date, client_id,
       coalesce(tx_count, 0), coalesce(debit_count, 0), coalesce(debit_amount, 0), coalesce(credit_amount, 0),
       coalesce(max_debit, 0), coalesce(night_count, 0), coalesce(timed_count, 0), coalesce(foreign_count, 0),
       coalesce(counterparty_known_count, 0), coalesce(risky_merchant_count, 0), coalesce(merchant_known_count, 0),
       coalesce(digital_count, 0), coalesce(cash_count, 0),
       coalesce(branch_count, 0), coalesce(transfer_inflow, 0), coalesce(purchase_count, 0),
       coalesce(distress_purchase_count, 0), coalesce(known_purchase_count, 0), coalesce(payments_due, 0),
       coalesce(payments_missed, 0), coalesce(complaints, 0), coalesce(defaults, 0)
FROM tx FULL OUTER JOIN ev USING (activity_date, client_id)
