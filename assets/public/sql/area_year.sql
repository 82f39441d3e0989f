-- public.area_year before suppression: every area, 'okant' (Okänt område) and the whole
-- ('Totalt') per year. Cell ids name each published count once across all public tables:
--   c|year|area|theme|month  (crimes; 'Totalt' for a margin)
--   r|year|type|area|source|age|sex  (referrals)
-- The 0–17 referral count is the same number as the row's orosanmälan total over all ages
-- when they are equal (every referral was about a child 0–17): then it gets that cell's id,
-- so one number is suppressed the same way wherever it is shown. Otherwise it is its own cell.
WITH area_all_ages AS (
    SELECT area_id, year, sum(referral_count) AS all_ages
    FROM main.area_referral_year WHERE type = 'orosanmalan' GROUP BY ALL
),
whole_all_ages AS (
    SELECT year, sum(referral_count) AS all_ages
    FROM main.municipality_referral_year WHERE type = 'orosanmalan' GROUP BY ALL
),
ref_total AS (
    SELECT * FROM area_all_ages
    UNION ALL
    SELECT 'Totalt', year, all_ages FROM whole_all_ages
    UNION ALL
    SELECT 'okant', w.year, w.all_ages - coalesce(sum(a.all_ages), 0)
    FROM whole_all_ages AS w LEFT JOIN area_all_ages AS a USING (year)
    GROUP BY w.year, w.all_ages
),
areas AS (
    SELECT
        y.area_id, a.area_name, y.year, y.is_complete_year, 1 AS row_kind,
        y.crime_count, y.population, y.crimes_per_1000, y.crimes_per_1000_ci_low,
        y.crimes_per_1000_ci_high, y.change_pct, y.q_value, y.funnel_position,
        y.smoothed_per_1000, y.hotspot,
        y.referral_count, y.referral_rate_basis, y.referrals_per_1000_0_17,
        y.referral_change_pct, y.referral_q_value, y.sig_referral_count
    FROM main.area_year AS y
    JOIN main.area AS a USING (area_id)
),
whole AS (
    SELECT
        'Totalt' AS area_id, 'Hela kommunen' AS area_name, m.year, m.is_complete_year,
        3 AS row_kind,
        m.crime_count, m.population, m.crimes_per_1000, m.crimes_per_1000_ci_low,
        m.crimes_per_1000_ci_high, m.change_pct, NULL::DOUBLE AS q_value,
        NULL::DOUBLE AS funnel_position, NULL::DOUBLE AS smoothed_per_1000,
        NULL::VARCHAR AS hotspot,
        m.referral_count,
        CASE WHEN m.population_0_17 IS NOT NULL THEN '0-17' ELSE 'total population' END
            AS referral_rate_basis,
        m.referrals_per_1000_0_17, m.referral_change_pct, NULL::DOUBLE AS referral_q_value,
        m.sig_referral_count
    FROM main.municipality_year AS m
),
unplaced AS (
    SELECT
        'okant' AS area_id, 'Okänt område' AS area_name, w.year, w.is_complete_year,
        2 AS row_kind,
        w.crime_count - s.crime_count AS crime_count,
        w.referral_count - s.referral_count AS referral_count,
        w.sig_referral_count - s.sig_referral_count AS sig_referral_count
    FROM whole AS w
    JOIN (SELECT year, sum(crime_count) AS crime_count, sum(referral_count) AS referral_count,
                 sum(sig_referral_count) AS sig_referral_count
          FROM areas GROUP BY year) AS s USING (year)
),
rows AS (
    SELECT * FROM areas UNION ALL BY NAME SELECT * FROM unplaced UNION ALL BY NAME SELECT * FROM whole
)
SELECT
    r.*,
    tr.first_year AS trend_first_year, tr.trend_pct_per_year, tr.trend_ci_low,
    tr.trend_ci_high, tr.q_value AS trend_q_value,
    'c|' || year || '|' || area_id || '|Totalt|Totalt' AS crime_cell,
    CASE WHEN r.referral_count IS NOT NULL AND r.referral_count = t.all_ages
         THEN 'r|' || year || '|orosanmalan|' || area_id || '|Totalt|Totalt|Totalt'
         ELSE 'r017|' || year || '|' || area_id END AS referral_cell,
    'r|' || year || '|sig|' || area_id || '|Totalt|Totalt|Totalt' AS sig_referral_cell
FROM rows AS r
LEFT JOIN ref_total AS t USING (area_id, year)
-- The five-year trend of all crimes whose window ends this year ('kommun' is the whole).
LEFT JOIN main.area_theme_trend AS tr
  ON tr.theme = 'alla brott' AND tr.last_year = r.year
 AND tr.area_id = CASE r.area_id WHEN 'Totalt' THEN 'kommun' ELSE r.area_id END
ORDER BY year, row_kind, area_id;
