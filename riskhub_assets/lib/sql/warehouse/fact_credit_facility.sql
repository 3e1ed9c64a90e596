-- Business days $start..$end of fact_credit_facility: each facility as reported that day, and whether that report
-- meets the default definition ($days_past_due days past due, a default flag, unlikely to pay, a defaulted status).
SELECT business_date, facility_id, client_id, account_id, product_code, currency, principal, start_date,
       maturity_date, instalment, interest_rate, status, days_past_due, default_flag, unlikely_to_pay, status_since,
       coalesce(days_past_due >= $days_past_due, false) OR coalesce(default_flag, false)
       OR coalesce(unlikely_to_pay, false) OR status IN (SELECT unnest($defaulted_statuses::VARCHAR[])) AS in_default
FROM clean.credit_facilities WHERE business_date BETWEEN $start AND $end
