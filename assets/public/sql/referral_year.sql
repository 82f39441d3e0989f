-- public.referral_year before suppression: the whole's referrals per year, type, age band
-- and sex, with 'Totalt' for both margins. No public table crosses area × age × sex × source
-- (domain.md §5): age and sex are published for the whole only. A delivered sex 'totalt'
-- (not split by sex) is shown as 'ej uppdelat', so it is never mistaken for the margin.
WITH parts AS (
    SELECT year, type, age_group,
           CASE sex WHEN 'totalt' THEN 'ej uppdelat' ELSE sex END AS sex,
           any_value(age_min) AS age_min, any_value(age_max) AS age_max,
           sum(referral_count) AS referral_count
    FROM main.referral_month GROUP BY year, type, age_group, 4
),
dense AS (
    SELECT a.year, a.type, a.age_group, a.age_min, a.age_max, s.sex,
           coalesce(p.referral_count, 0) AS referral_count
    FROM (SELECT DISTINCT year, type, age_group, age_min, age_max FROM parts) AS a
    JOIN (SELECT DISTINCT year, type, sex FROM parts) AS s USING (year, type)
    LEFT JOIN parts AS p USING (year, type, age_group, sex)
),
with_sex_totals AS (
    SELECT * FROM dense
    UNION ALL
    SELECT year, type, age_group, any_value(age_min), any_value(age_max), 'Totalt',
           sum(referral_count)
    FROM dense GROUP BY year, type, age_group
),
with_age_totals AS (
    SELECT * FROM with_sex_totals
    UNION ALL
    SELECT year, type, 'Totalt', NULL, NULL, sex, sum(referral_count)
    FROM with_sex_totals GROUP BY year, type, sex
)
SELECT year, type, age_group, age_min, age_max, sex, referral_count,
       'r|' || year || '|' || type || '|Totalt|Totalt|' || age_group || '|' || sex
           AS referral_cell  -- 'Totalt' × 'Totalt' is the same cell as in area_referral_year
FROM with_age_totals
ORDER BY year, type, age_group = 'Totalt', age_min, sex = 'Totalt', sex;
