-- One row per account and business day of $start..$end on which the account is known and open: its state on a day
-- is its latest clean record on or before that day (accounts land as change records; a full snapshot is a change
-- record for every account), and it is open from its opening until its closing day included.
WITH records AS (
    SELECT account_id, business_date, client_id, account_type, currency, limit_or_principal, close_date
    FROM clean.accounts
    WHERE business_date BETWEEN $start AND $end
    UNION ALL
    SELECT account_id, business_date, earlier.client_id, earlier.account_type, earlier.currency,
           earlier.limit_or_principal, earlier.close_date
    FROM clean.accounts earlier
    JOIN (
        SELECT account_id, max(business_date) AS business_date
        FROM clean.accounts
        WHERE business_date < $start
        GROUP BY account_id) latest_before_window USING (account_id, business_date)
),
spans AS (
    SELECT *,
           least(
               coalesce(lead(business_date) OVER (PARTITION BY account_id ORDER BY business_date) - 1, $end),
               coalesce(close_date, $end)
           ) AS open_until
    FROM records
)
SELECT account_id, client_id, account_type, currency, limit_or_principal, close_date,
       CAST(unnest(generate_series(greatest(business_date, $start), open_until, INTERVAL 1 DAY)) AS DATE) AS day
FROM spans
WHERE open_until >= greatest(business_date, $start)
