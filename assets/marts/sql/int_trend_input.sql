-- intermediate.trend_input: the series of the five-year trend (statistics.md), one row per
-- series (area or 'kommun' × theme of brottskategorier.csv or 'alla brott') and year.
-- population is the figure delivered for that very year (NULL when it was carried forward
-- from an earlier year): only such years enter a trend. The municipality's counts include
-- 'okant'; its population is the sum over the areas, and only for years in which every area
-- has a population delivered for that year.
CREATE OR REPLACE TABLE intermediate.trend_input AS
WITH themes AS (
    SELECT DISTINCT theme FROM staging.crime_category
),
areas AS (
    SELECT b.area_id, b.theme, b.year, b.is_complete_year, b.crime_count,
           CASE WHEN b.population_year = b.year THEN b.population END AS population
    FROM intermediate.area_theme_year_base AS b
    SEMI JOIN themes USING (theme)
    UNION ALL
    SELECT area_id, 'alla brott', year, is_complete_year, crime_count,
           CASE WHEN population_year = year THEN population END
    FROM intermediate.area_year_base
),
municipal_population AS (
    SELECT year,
           CASE WHEN bool_and(population_year IS NOT DISTINCT FROM year)
                THEN sum(population) END AS population
    FROM intermediate.area_year_base
    GROUP BY year
),
municipality AS (
    SELECT 'kommun' AS area_id, m.theme, m.year, m.is_complete_year, m.crime_count,
           p.population
    FROM intermediate.municipality_theme_year_base AS m
    SEMI JOIN themes USING (theme)
    JOIN municipal_population AS p USING (year)
    UNION ALL
    SELECT 'kommun', 'alla brott', m.year, m.is_complete_year, m.crime_count, p.population
    FROM intermediate.municipality_year_base AS m
    JOIN municipal_population AS p USING (year)
)
SELECT * FROM areas
UNION ALL
SELECT * FROM municipality;
