-- main.municipality_theme_month: the whole's monthly series per theme (monthly deliveries,
-- including 'okant'), dense over the delivered months.
CREATE OR REPLACE TABLE main.municipality_theme_month AS
WITH months AS (
    SELECT DISTINCT month FROM staging.crime WHERE month IS NOT NULL
),
counts AS (
    SELECT month, theme, sum(crime_count) AS crime_count
    FROM staging.crime WHERE month IS NOT NULL GROUP BY ALL
)
SELECT m.month, year(m.month) AS year, t.theme, coalesce(c.crime_count, 0) AS crime_count
FROM months AS m
CROSS JOIN staging.theme AS t
LEFT JOIN counts AS c ON c.month = m.month AND c.theme = t.theme
ORDER BY m.month, t.sort_order;
