-- main.area_referral_year: referrals per area, year, type and reporter, for the report's
-- "who reported" per area. orosanmälningar here cover all delivered ages (see area_year for
-- the 0–17 count).
CREATE OR REPLACE TABLE main.area_referral_year AS
SELECT area_id, year, type, source,
       sum(referral_count) AS referral_count,
       count(*) FILTER (WHERE referral_count IS NULL) AS missing_cells
FROM staging.referral
WHERE area_id <> 'okant'
GROUP BY ALL
ORDER BY area_id, year, type, source;
