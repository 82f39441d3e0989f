-- main.referral_month: referrals per area, month, type, reporter, age band and sex
-- (reporters outside the contract's list are grouped as 'ovriga').
CREATE OR REPLACE TABLE main.referral_month AS
SELECT
    area_id, month, year, type, source, age_group,
    any_value(age_min) AS age_min,
    any_value(age_max) AS age_max,
    sex,
    sum(referral_count) AS referral_count,
    count(*) FILTER (WHERE referral_count IS NULL) AS missing_cells
FROM staging.referral
GROUP BY area_id, month, year, type, source, age_group, sex
ORDER BY area_id, month, type, source, age_group, sex;
