-- intermediate.area_year_base: counts per known area and year, before the statistics.
-- Crimes placed in no area ('okant') are left out here and counted in the municipality.
-- A NULL ('..') count is left out of the sum; the row records how many cells were missing.
-- Previous-year values are only given for complete years, so a partial year is never
-- compared with a full one.
CREATE OR REPLACE TABLE intermediate.area_year_base AS
WITH crimes AS (
    SELECT area_id, year,
           sum(crime_count) AS crime_count,
           count(*) FILTER (WHERE crime_count IS NULL) AS missing_cells,
           bool_or(is_yearly_delivery) AS has_yearly_delivery
    FROM staging.crime
    WHERE area_id <> 'okant'
    GROUP BY ALL
),
joined AS (
    SELECT
        g.area_id, g.year, g.is_complete_year,
        coalesce(c.crime_count, 0) AS crime_count,
        coalesce(c.missing_cells, 0) AS missing_cells,
        coalesce(c.has_yearly_delivery, false) AS has_yearly_delivery,
        g.population, g.population_year, g.population_basis, g.population_0_17,
        r.referral_count, r.sig_referral_count, r.referral_rows_outside_0_17
    FROM intermediate.area_year_grid AS g
    LEFT JOIN crimes AS c USING (area_id, year)
    LEFT JOIN intermediate.referral_area_year AS r USING (area_id, year)
)
SELECT
    *,
    -- Referral rates use the 0–17 population where the age bands give it, else the total.
    coalesce(population_0_17, population) AS referral_population,
    CASE WHEN is_complete_year THEN lag(crime_count) OVER w END AS crime_count_prev_year,
    CASE WHEN is_complete_year THEN lag(population) OVER w END AS population_prev_year,
    CASE WHEN is_complete_year THEN lag(referral_count) OVER w END AS referral_count_prev_year,
    CASE WHEN is_complete_year THEN lag(coalesce(population_0_17, population)) OVER w END
        AS referral_population_prev_year
FROM joined
WINDOW w AS (PARTITION BY area_id ORDER BY year);
