-- public.area_month before suppression: crimes per area (and 'okant', 'Totalt') and month of
-- each year, from monthly deliveries. Counts delivered yearly for an area appear as the part
-- 'helår' (month unknown), so the months always add up to the row's 'Totalt' (= area_year).
WITH months AS (
    SELECT DISTINCT year, strftime(month, '%m') AS month FROM main.crime_month
),
rows_areas AS (
    SELECT area_id, area_name, 1 AS row_kind FROM main.area
    UNION ALL SELECT 'okant', 'Okänt område', 2
),
monthly AS (
    SELECT area_id, year, strftime(month, '%m') AS month, sum(crime_count) AS crime_count
    FROM main.crime_month GROUP BY ALL
),
yearly AS (
    SELECT area_id, year, 'helår' AS month, sum(crime_count) AS crime_count
    FROM main.crime_year WHERE is_yearly_delivery GROUP BY ALL
),
parts AS (
    SELECT r.area_id, r.area_name, r.row_kind, m.year, m.month,
           coalesce(c.crime_count, 0) AS crime_count
    FROM rows_areas AS r
    CROSS JOIN months AS m
    LEFT JOIN monthly AS c USING (area_id, year, month)
    UNION ALL
    SELECT y.area_id, r.area_name, r.row_kind, y.year, y.month, y.crime_count
    FROM yearly AS y JOIN rows_areas AS r USING (area_id)
),
with_whole AS (
    SELECT * FROM parts
    UNION ALL
    SELECT 'Totalt', 'Hela kommunen', 3, year, month, sum(crime_count) FROM parts GROUP BY year, month
),
with_totals AS (
    SELECT * FROM with_whole
    UNION ALL
    SELECT area_id, area_name, row_kind, year, 'Totalt', crime_count
    FROM public_area_year
    WHERE year IN (SELECT year FROM months UNION SELECT year FROM yearly)
)
SELECT *, 'c|' || year || '|' || area_id || '|Totalt|' || month AS crime_cell
FROM with_totals
ORDER BY year, row_kind, area_id, month;
