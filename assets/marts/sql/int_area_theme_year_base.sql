-- intermediate.area_theme_year_base: counts per known area, theme and year (dense: every
-- theme of the reference list, 0 where nothing was reported), before the statistics.
CREATE OR REPLACE TABLE intermediate.area_theme_year_base AS
WITH crimes AS (
    SELECT c.area_id, c.year, c.theme,
           sum(c.crime_count) AS crime_count,
           sum(c.crime_count) FILTER (WHERE k.is_signal_crime) AS signal_crime_count,
           count(*) FILTER (WHERE c.crime_count IS NULL) AS missing_cells
    FROM staging.crime AS c
    JOIN staging.crime_category AS k USING (crime_category)
    WHERE c.area_id <> 'okant'
    GROUP BY ALL
),
joined AS (
    SELECT
        g.area_id, g.year, t.theme, g.is_complete_year,
        coalesce(c.crime_count, 0) AS crime_count,
        coalesce(c.signal_crime_count, 0) AS signal_crime_count,
        coalesce(c.missing_cells, 0) AS missing_cells,
        g.population, g.population_year
    FROM intermediate.area_year_grid AS g
    CROSS JOIN staging.theme AS t
    LEFT JOIN crimes AS c USING (area_id, year, theme)
)
SELECT
    *,
    CASE WHEN is_complete_year THEN lag(crime_count) OVER w END AS crime_count_prev_year,
    CASE WHEN is_complete_year THEN lag(population) OVER w END AS population_prev_year
FROM joined
WINDOW w AS (PARTITION BY area_id, theme ORDER BY year);
