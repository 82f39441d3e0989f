-- public.municipality_category_year before suppression: the whole municipality's crimes per
-- theme, crime category and year, with the theme's total as the 'Totalt' category row.
-- The 'Totalt' row is the same cell as area_theme_year's 'Totalt' area row (one id), so
-- "theme total = sum of its categories" is one equation of the suppression; the categories
-- get ids of their own ('k|…'), which no other table uses.
WITH whole AS (
    SELECT year, theme, is_complete_year, population, crime_count, change_pct
    FROM public_area_theme_year
    WHERE area_id = 'Totalt' AND theme <> 'Totalt'
),
counts AS (
    -- crime_year holds every area, 'okant' included: its sum is the whole's count.
    SELECT year, crime_category, sum(crime_count) AS crime_count
    FROM main.crime_year GROUP BY ALL
),
categories AS (
    SELECT w.year, w.theme, k.crime_category, k.is_signal_crime, w.is_complete_year,
           w.population, coalesce(c.crime_count, 0) AS crime_count
    FROM whole AS w
    JOIN main.crime_category AS k USING (theme)
    LEFT JOIN counts AS c ON c.year = w.year AND c.crime_category = k.crime_category
),
changes AS (
    -- As the marts: a change only for a complete year, and none from 0 (no percentage).
    SELECT c.*,
           CASE WHEN c.is_complete_year AND p.crime_count > 0
                THEN (c.crime_count - p.crime_count) * 100.0 / p.crime_count END AS change_pct,
           'k|' || c.year || '|Totalt|' || c.theme || '|' || c.crime_category AS crime_cell
    FROM categories AS c
    LEFT JOIN categories AS p
      ON p.theme = c.theme AND p.crime_category = c.crime_category AND p.year = c.year - 1
),
totals AS (
    SELECT year, theme, 'Totalt' AS crime_category, NULL::BOOLEAN AS is_signal_crime,
           is_complete_year, population, crime_count, change_pct,
           'c|' || year || '|Totalt|' || theme || '|Totalt' AS crime_cell
    FROM whole
)
SELECT r.year, r.theme, r.crime_category, r.is_signal_crime, r.is_complete_year, r.population,
       r.crime_count, r.crime_count * 1000.0 / nullif(r.population, 0) AS crimes_per_1000,
       r.change_pct, r.crime_cell
FROM (SELECT * FROM changes UNION ALL BY NAME SELECT * FROM totals) AS r
LEFT JOIN main.theme AS t USING (theme)
ORDER BY r.year, coalesce(t.sort_order, 1000), r.crime_category = 'Totalt', r.crime_category;
