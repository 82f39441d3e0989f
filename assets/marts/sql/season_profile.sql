-- main.season_profile: crimes by month of the year over the three-year window ending with
-- each complete year (year-2 .. year), from monthly deliveries. NULL area_id means the
-- whole municipality (including 'okant'); NULL theme means all themes. Only years with all
-- 12 months delivered count, so the months compare like with like. Dense: 12 rows per series.
CREATE OR REPLACE TABLE main.season_profile AS
WITH by_month AS (
    -- Summed to area x theme x month first: the windows below then repeat ~6 million
    -- rows (national scale) instead of every one of ~30 million crime rows three times.
    SELECT year, area_id, theme, month(month) AS month_of_year, sum(crime_count) AS crime_count
    FROM staging.crime
    WHERE month IS NOT NULL
    GROUP BY year, area_id, theme, month(month)
),
complete AS (
    SELECT year FROM by_month GROUP BY year HAVING count(DISTINCT month_of_year) = 12
),
windows AS (
    SELECT c.year, w.year AS data_year, count(*) OVER (PARTITION BY c.year) AS years_included
    FROM complete AS c JOIN complete AS w ON w.year BETWEEN c.year - 2 AND c.year
),
monthly AS (
    SELECT w.year, w.years_included, b.area_id, b.theme, b.month_of_year, b.crime_count
    FROM by_month AS b
    JOIN windows AS w ON w.data_year = b.year
),
rolled AS (
    SELECT
        year,
        any_value(years_included) AS years_included,
        CASE WHEN grouping(area_id) = 0 THEN area_id END AS area_id,
        CASE WHEN grouping(theme) = 0 THEN theme END AS theme,
        month_of_year,
        sum(crime_count) AS crime_count
    FROM monthly
    GROUP BY GROUPING SETS (
        (year, area_id, month_of_year),
        (year, theme, month_of_year),
        (year, month_of_year)
    )
),
series AS (
    SELECT DISTINCT year, years_included, area_id, theme FROM rolled
    WHERE area_id IS DISTINCT FROM 'okant'
)
SELECT
    s.year,
    s.area_id,
    s.theme,
    m.month_of_year::INTEGER AS month_of_year,
    coalesce(r.crime_count, 0) AS crime_count,
    s.years_included,
    coalesce(r.crime_count, 0)::DOUBLE / s.years_included AS mean_per_year
FROM series AS s
CROSS JOIN range(1, 13) AS m(month_of_year)
LEFT JOIN rolled AS r
  ON r.year = s.year AND r.area_id IS NOT DISTINCT FROM s.area_id
 AND r.theme IS NOT DISTINCT FROM s.theme AND r.month_of_year = m.month_of_year
ORDER BY s.year, s.area_id NULLS FIRST, s.theme NULLS FIRST, m.month_of_year;
