-- public.area_theme_year before suppression: every area, 'okant' and 'Totalt' × every theme
-- and 'Totalt' (the row's yearly total, the same cell as in area_year) per year.
WITH areas AS (
    SELECT t.area_id, a.area_name, t.year, t.theme, 1 AS row_kind, t.is_complete_year,
           t.crime_count, t.population, t.crimes_per_1000, t.crimes_per_1000_ci_low,
           t.crimes_per_1000_ci_high, t.change_pct, t.q_value, t.funnel_position,
           t.funnel_low_998, t.funnel_low_95, t.funnel_high_95, t.funnel_high_998,
           t.smoothed_per_1000, t.hotspot
    FROM main.area_theme_year AS t JOIN main.area AS a USING (area_id)
),
whole AS (
    SELECT 'Totalt' AS area_id, 'Hela kommunen' AS area_name, m.year, m.theme, 3 AS row_kind,
           m.is_complete_year, m.crime_count, m.population, m.crimes_per_1000,
           m.crimes_per_1000_ci_low, m.crimes_per_1000_ci_high, m.change_pct, m.q_value
    FROM main.municipality_theme_year AS m
),
unplaced AS (
    SELECT 'okant' AS area_id, 'Okänt område' AS area_name, w.year, w.theme, 2 AS row_kind,
           w.is_complete_year, w.crime_count - s.crime_count AS crime_count
    FROM whole AS w
    JOIN (SELECT year, theme, sum(crime_count) AS crime_count FROM areas GROUP BY ALL) AS s
      USING (year, theme)
),
totals AS (
    -- The 'Totalt' theme of each row: the same numbers as public.area_year.
    SELECT area_id, area_name, year, 'Totalt' AS theme, row_kind, is_complete_year,
           crime_count, population, crimes_per_1000, crimes_per_1000_ci_low,
           crimes_per_1000_ci_high, change_pct, q_value, funnel_position,
           smoothed_per_1000, hotspot, trend_first_year, trend_pct_per_year, trend_ci_low,
           trend_ci_high, trend_q_value
    FROM public_area_year
),
trends AS (
    -- The five-year trend of each theme whose window ends this year ('kommun' is the whole).
    SELECT r.*, tr.first_year AS trend_first_year, tr.trend_pct_per_year, tr.trend_ci_low,
           tr.trend_ci_high, tr.q_value AS trend_q_value
    FROM (SELECT * FROM areas UNION ALL BY NAME SELECT * FROM whole) AS r
    LEFT JOIN main.area_theme_trend AS tr
      ON tr.theme = r.theme AND tr.last_year = r.year
     AND tr.area_id = CASE r.area_id WHEN 'Totalt' THEN 'kommun' ELSE r.area_id END
),
rows AS (
    SELECT * FROM trends
    UNION ALL BY NAME SELECT * FROM unplaced
    UNION ALL BY NAME SELECT * FROM totals
)
SELECT r.*, 'c|' || r.year || '|' || r.area_id || '|' || r.theme || '|Totalt' AS crime_cell
FROM rows AS r
LEFT JOIN main.theme AS t USING (theme)
ORDER BY r.year, r.row_kind, r.area_id, coalesce(t.sort_order, 1000);
