-- public.municipality_theme_month before suppression: the whole's crimes per theme and
-- month (and 'helår' for yearly deliveries), with 'Totalt' for both margins.
WITH months AS (
    SELECT DISTINCT year, strftime(month, '%m') AS month FROM main.crime_month
),
parts AS (
    SELECT m.year, t.theme, m.month, coalesce(c.crime_count, 0) AS crime_count
    FROM months AS m
    CROSS JOIN main.theme AS t
    LEFT JOIN (SELECT year, theme, strftime(month, '%m') AS month, sum(crime_count) AS crime_count
               FROM main.crime_month GROUP BY ALL) AS c USING (year, theme, month)
    UNION ALL
    SELECT year, theme, 'helår', sum(crime_count)
    FROM main.crime_year WHERE is_yearly_delivery GROUP BY ALL
),
with_theme_totals AS (
    SELECT * FROM parts
    UNION ALL
    SELECT year, 'Totalt', month, sum(crime_count) FROM parts GROUP BY year, month
),
with_month_totals AS (
    SELECT * FROM with_theme_totals
    UNION ALL
    SELECT year, theme, 'Totalt', crime_count FROM public_area_theme_year
    WHERE area_id = 'Totalt' AND year IN (SELECT year FROM parts)
)
SELECT r.*, 'c|' || r.year || '|Totalt|' || r.theme || '|' || r.month AS crime_cell
FROM with_month_totals AS r
LEFT JOIN main.theme AS t USING (theme)
ORDER BY r.year, coalesce(t.sort_order, 1000), r.month;
