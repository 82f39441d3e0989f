-- main.area_year: the headline table. Every known area × every year (dense), with crimes,
-- population, rates with exact intervals, referrals, and the change from the previous year
-- with its exact test (statistics.md). Statistics come from stats_area_year (Python).
CREATE OR REPLACE TABLE main.area_year AS
SELECT
    b.area_id,
    b.year,
    b.is_complete_year,
    b.crime_count,
    b.missing_cells,
    b.has_yearly_delivery,
    b.population,
    b.population_year,
    b.population_basis,
    s.crimes_per_1000,
    s.crimes_per_1000_ci_low,
    s.crimes_per_1000_ci_high,
    b.crime_count_prev_year,
    s.crimes_change_pct AS change_pct,
    s.crimes_p_value AS p_value,
    s.crimes_q_value AS q_value,
    s.crimes_funnel_position AS funnel_position,
    s.crimes_funnel_low_998 AS funnel_low_998,
    s.crimes_funnel_low_95 AS funnel_low_95,
    s.crimes_funnel_high_95 AS funnel_high_95,
    s.crimes_funnel_high_998 AS funnel_high_998,
    s.crimes_smoothed_per_1000 AS smoothed_per_1000,
    s.crimes_gi_z AS gi_z,
    s.crimes_gi_p AS gi_p,
    s.crimes_gi_q AS gi_q,
    s.crimes_hotspot AS hotspot,
    b.referral_count,
    b.population_0_17,
    CASE WHEN b.population_0_17 IS NOT NULL THEN '0-17'
         WHEN b.population IS NOT NULL THEN 'total population' END AS referral_rate_basis,
    s.referrals_per_1000 AS referrals_per_1000_0_17,
    s.referrals_per_1000_ci_low AS referrals_per_1000_0_17_ci_low,
    s.referrals_per_1000_ci_high AS referrals_per_1000_0_17_ci_high,
    b.referral_count_prev_year,
    s.referrals_change_pct AS referral_change_pct,
    s.referrals_p_value AS referral_p_value,
    s.referrals_q_value AS referral_q_value,
    s.referrals_funnel_position AS referral_funnel_position,
    b.sig_referral_count,
    b.referral_rows_outside_0_17
FROM intermediate.area_year_base AS b
JOIN stats_area_year AS s USING (area_id, year)
ORDER BY b.area_id, b.year;
