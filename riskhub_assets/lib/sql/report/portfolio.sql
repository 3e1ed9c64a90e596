-- The portfolio KPIs of business day $day.
SELECT * EXCLUDE (business_date) FROM marts.portfolio_kpis WHERE business_date = $day
