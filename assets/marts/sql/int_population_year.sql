-- intermediate.population_year: one population per area and delivered year, for rates.
-- The total prefers a 'totalt'/'totalt' row, then totalt-age rows by sex, then age bands
-- (all sexes, then by sex). The 0–17 population comes from bands that tile exactly 0–17
-- (sex 'totalt', else kvinnor + man); when the bands can't give it, it is NULL and the
-- referral rate falls back on the total population (data-contract §2.2).
CREATE OR REPLACE TABLE intermediate.population_year AS
WITH p AS (
    SELECT * FROM staging.population WHERE population IS NOT NULL AND area_id <> 'okant'
),
totals AS (
    SELECT
        area_id, year,
        max(population) FILTER (WHERE age_group = 'totalt' AND sex = 'totalt') AS t_all,
        sum(population) FILTER (WHERE age_group = 'totalt' AND sex IN ('kvinnor', 'man')) AS t_sexes,
        count(DISTINCT sex) FILTER (WHERE age_group = 'totalt' AND sex IN ('kvinnor', 'man')) AS n_sexes,
        sum(population) FILTER (WHERE age_group <> 'totalt' AND sex = 'totalt') AS b_all,
        sum(population) FILTER (WHERE age_group <> 'totalt' AND sex IN ('kvinnor', 'man')) AS b_sexes
    FROM p
    GROUP BY ALL
),
child_by_sex AS (
    -- Bands inside 0–17 that tile it exactly: start at 0, end at 17, 18 ages in all
    -- (overlapping bands were quarantined at ingest, so the ages add up without double counting).
    SELECT area_id, year, sex, sum(population) AS pop_0_17
    FROM p
    WHERE age_group <> 'totalt' AND age_max IS NOT NULL AND age_max <= 17
    GROUP BY ALL
    HAVING min(age_min) = 0 AND max(age_max) = 17 AND sum(age_max - age_min + 1) = 18
),
child AS (
    SELECT
        area_id, year,
        coalesce(
            max(pop_0_17) FILTER (WHERE sex = 'totalt'),
            CASE WHEN count(*) FILTER (WHERE sex IN ('kvinnor', 'man')) = 2
                 THEN sum(pop_0_17) FILTER (WHERE sex IN ('kvinnor', 'man')) END
        ) AS population_0_17
    FROM child_by_sex
    GROUP BY ALL
)
SELECT
    t.area_id,
    t.year,
    coalesce(t.t_all, CASE WHEN t.n_sexes = 2 THEN t.t_sexes END, t.b_all, t.b_sexes) AS population,
    CASE
        WHEN t.t_all IS NOT NULL THEN 'totalt row'
        WHEN t.n_sexes = 2 THEN 'women + men'
        WHEN t.b_all IS NOT NULL THEN 'sum of age bands'
        WHEN t.b_sexes IS NOT NULL THEN 'sum of age bands by sex'
    END AS population_basis,
    c.population_0_17
FROM totals AS t
LEFT JOIN child AS c USING (area_id, year);
