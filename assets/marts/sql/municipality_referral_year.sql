-- main.municipality_referral_year: the whole's referrals per year, type, reporter, age band
-- and sex (including referrals placed in no area).
CREATE OR REPLACE TABLE main.municipality_referral_year AS
SELECT year, type, source, age_group, sex,
       sum(referral_count) AS referral_count,
       count(*) FILTER (WHERE referral_count IS NULL) AS missing_cells
FROM staging.referral
GROUP BY ALL
ORDER BY year, type, source, age_group, sex;
