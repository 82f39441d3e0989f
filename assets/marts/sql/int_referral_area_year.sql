-- intermediate.referral_area_year: referral counts per area and year.
-- referral_count: orosanmälningar about ages 0–17 only (bands that lie inside 0–17).
-- sig_referral_count: referrals to SIG (ages 13–25), counted apart, never in the 0–17 rate.
-- Years outside the referral data's own span are NULL ("not delivered"), not 0.
CREATE OR REPLACE TABLE intermediate.referral_area_year AS
WITH span AS (
    SELECT min(year) AS first_year, max(year) AS last_year FROM staging.referral
),
sums AS (
    SELECT
        area_id, year,
        sum(referral_count) FILTER (WHERE type = 'orosanmalan' AND age_max IS NOT NULL
                                      AND age_min >= 0 AND age_max <= 17) AS referral_count,
        sum(referral_count) FILTER (WHERE type = 'sig') AS sig_referral_count,
        count(*) FILTER (WHERE type = 'orosanmalan'
                           AND (age_max IS NULL OR age_max > 17)) AS rows_outside_0_17
    FROM staging.referral
    GROUP BY ALL
)
SELECT
    g.area_id,
    g.year,
    CASE WHEN g.year BETWEEN s.first_year AND s.last_year
         THEN coalesce(x.referral_count, 0) END AS referral_count,
    CASE WHEN g.year BETWEEN s.first_year AND s.last_year
         THEN coalesce(x.sig_referral_count, 0) END AS sig_referral_count,
    coalesce(x.rows_outside_0_17, 0) AS referral_rows_outside_0_17
FROM (SELECT DISTINCT area_id, year FROM intermediate.area_year_grid) AS g
CROSS JOIN span AS s
LEFT JOIN sums AS x USING (area_id, year);
