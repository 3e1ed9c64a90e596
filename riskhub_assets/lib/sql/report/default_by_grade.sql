-- Clients and mean probability of default per grade on business day $day.
SELECT grade, count(*) AS clients, avg(probability_of_default) AS average_probability_of_default
FROM scores.default_scores WHERE as_of_date = $day GROUP BY grade ORDER BY grade
