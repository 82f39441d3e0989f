-- public.area_referral_year before suppression: referrals per area ('okant', 'Totalt'), year,
-- type and reporter ('Totalt' = all reporters), over all delivered ages. orosanmälan and SIG
-- are never summed together, so type has no total.
WITH sources AS (
    SELECT DISTINCT year, type, source FROM main.referral_month
),
rows_areas AS (
    SELECT area_id, area_name, 1 AS row_kind FROM main.area
    UNION ALL SELECT 'okant', 'Okänt område', 2
),
counts AS (
    SELECT area_id, year, type, source, sum(referral_count) AS referral_count
    FROM main.referral_month GROUP BY ALL
),
parts AS (
    SELECT r.area_id, r.area_name, r.row_kind, s.year, s.type, s.source,
           coalesce(c.referral_count, 0) AS referral_count
    FROM rows_areas AS r
    CROSS JOIN sources AS s
    LEFT JOIN counts AS c USING (area_id, year, type, source)
),
with_whole AS (
    SELECT * FROM parts
    UNION ALL
    SELECT 'Totalt', 'Hela kommunen', 3, year, type, source, sum(referral_count)
    FROM parts GROUP BY year, type, source
),
with_totals AS (
    SELECT * FROM with_whole
    UNION ALL
    SELECT area_id, any_value(area_name), any_value(row_kind), year, type, 'Totalt',
           sum(referral_count)
    FROM with_whole GROUP BY area_id, year, type
)
SELECT *,
       'r|' || year || '|' || type || '|' || area_id || '|' || source || '|Totalt|Totalt'
           AS referral_cell
FROM with_totals
ORDER BY year, type, row_kind, area_id, source = 'Totalt', source;
