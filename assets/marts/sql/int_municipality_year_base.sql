-- intermediate.municipality_year_base and municipality_theme_year_base: the whole (every
-- delivered area, plus crimes placed in no area), the reference row of the lägesbild.
-- crime_count includes 'okant'; the reference rate θ for comparing areas uses the crimes and
-- the population of the areas with population > 0 only, so numerator and denominator match
-- ('okant' and areas without population are left out). NULL, never 0, with no such area.
CREATE OR REPLACE TABLE intermediate.municipality_year_base AS
WITH totals AS (
    SELECT year,
           sum(crime_count) AS crime_count,
           sum(crime_count) FILTER (WHERE area_id = 'okant') AS unplaced_crime_count,
           count(*) FILTER (WHERE crime_count IS NULL) AS missing_cells
    FROM staging.crime
    GROUP BY ALL
),
areas AS (
    SELECT year, any_value(is_complete_year) AS is_complete_year,
           sum(population) AS population,
           count(*) FILTER (WHERE population IS NULL) AS areas_without_population,
           -- The funnel's reference θ (statistics.md): areas with population > 0 only, in
           -- both numerator and denominator.
           sum(crime_count) FILTER (WHERE population > 0) AS placed_count_with_population,
           sum(population) FILTER (WHERE population > 0) AS population_of_areas_with_population,
           sum(population_0_17) AS population_0_17,
           count(*) FILTER (WHERE population_0_17 IS NULL) AS areas_without_population_0_17,
           sum(referral_count) AS referral_count,
           sum(sig_referral_count) AS sig_referral_count
    FROM intermediate.area_year_base
    GROUP BY ALL
),
unplaced_referrals AS (
    SELECT year,
           sum(referral_count) FILTER (WHERE type = 'orosanmalan' AND age_max IS NOT NULL
                                         AND age_min >= 0 AND age_max <= 17) AS referral_count,
           sum(referral_count) FILTER (WHERE type = 'sig') AS sig_referral_count
    FROM staging.referral WHERE area_id = 'okant'
    GROUP BY ALL
),
joined AS (
    SELECT
        c.year, a.is_complete_year,
        coalesce(t.crime_count, 0) AS crime_count,
        coalesce(t.unplaced_crime_count, 0) AS unplaced_crime_count,
        coalesce(t.missing_cells, 0) AS missing_cells,
        CASE WHEN a.areas_without_population = 0 THEN a.population END AS population,
        a.areas_without_population,
        a.placed_count_with_population,
        a.population_of_areas_with_population,
        CASE WHEN a.areas_without_population_0_17 = 0 THEN a.population_0_17 END AS population_0_17,
        a.referral_count + coalesce(u.referral_count, 0) AS referral_count,
        a.sig_referral_count + coalesce(u.sig_referral_count, 0) AS sig_referral_count
    FROM intermediate.calendar AS c
    JOIN areas AS a USING (year)
    LEFT JOIN totals AS t USING (year)
    LEFT JOIN unplaced_referrals AS u USING (year)
)
SELECT
    *,
    placed_count_with_population::DOUBLE / nullif(population_of_areas_with_population, 0)
        AS reference_rate,
    -- Referral rates use the 0–17 population where the age bands give it, else the total.
    coalesce(population_0_17, population) AS referral_population,
    CASE WHEN is_complete_year THEN lag(crime_count) OVER w END AS crime_count_prev_year,
    CASE WHEN is_complete_year THEN lag(population) OVER w END AS population_prev_year,
    CASE WHEN is_complete_year THEN lag(referral_count) OVER w END AS referral_count_prev_year,
    CASE WHEN is_complete_year THEN lag(coalesce(population_0_17, population)) OVER w END
        AS referral_population_prev_year
FROM joined
WINDOW w AS (ORDER BY year);

CREATE OR REPLACE TABLE intermediate.municipality_theme_year_base AS
WITH totals AS (
    SELECT c.year, c.theme,
           sum(c.crime_count) AS crime_count,
           sum(c.crime_count) FILTER (WHERE c.area_id = 'okant') AS unplaced_crime_count,
           sum(c.crime_count) FILTER (WHERE k.is_signal_crime) AS signal_crime_count
    FROM staging.crime AS c
    JOIN staging.crime_category AS k USING (crime_category)
    GROUP BY ALL
),
areas AS (
    SELECT year, theme,
           sum(crime_count) FILTER (WHERE population > 0) AS placed_count_with_population,
           sum(population) FILTER (WHERE population > 0) AS population_of_areas_with_population
    FROM intermediate.area_theme_year_base
    GROUP BY ALL
),
joined AS (
    SELECT
        m.year, t.theme, m.is_complete_year,
        coalesce(x.crime_count, 0) AS crime_count,
        coalesce(x.unplaced_crime_count, 0) AS unplaced_crime_count,
        coalesce(x.signal_crime_count, 0) AS signal_crime_count,
        m.population,
        a.placed_count_with_population,
        a.population_of_areas_with_population
    FROM intermediate.municipality_year_base AS m
    CROSS JOIN staging.theme AS t
    LEFT JOIN totals AS x ON x.year = m.year AND x.theme = t.theme
    LEFT JOIN areas AS a ON a.year = m.year AND a.theme = t.theme
)
SELECT
    *,
    placed_count_with_population::DOUBLE / nullif(population_of_areas_with_population, 0)
        AS reference_rate,
    CASE WHEN is_complete_year THEN lag(crime_count) OVER w END AS crime_count_prev_year,
    CASE WHEN is_complete_year THEN lag(population) OVER w END AS population_prev_year
FROM joined
WINDOW w AS (PARTITION BY theme ORDER BY year);
