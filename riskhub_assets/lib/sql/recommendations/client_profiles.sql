-- Each client's latest KYC record as of $d: 10-year age band, segment and employment status, as profile values.
SELECT client_id, 'age_' || CAST(floor(date_sub('year', birth_month, $d) / 10) * 10 AS INTEGER) AS age_band,
       'segment_' || segment AS segment, 'employment_' || employment_status AS employment
FROM clean.clients WHERE business_date <= $d
QUALIFY row_number() OVER (PARTITION BY client_id ORDER BY business_date DESC, _row_number DESC) = 1
