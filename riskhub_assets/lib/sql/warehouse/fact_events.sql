-- Business days $start..$end of fact_events: each client or account life-cycle event.
SELECT event_id, business_date, "timestamp", client_id, account_id, event_type, amount
FROM clean.events WHERE business_date BETWEEN $start AND $end
