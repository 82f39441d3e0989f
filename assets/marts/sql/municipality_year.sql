-- main.municipality_year: the whole, year by year — the reference row the areas are
-- compared with. It includes crimes placed in no area ('okant').
CREATE OR REPLACE TABLE main.municipality_year AS
SELECT
    b.year,
    b.is_complete_year,
    b.crime_count,
    b.unplaced_crime_count,
    b.missing_cells,
    b.population,
    b.areas_without_population,
    s.crimes_per_1000,
    s.crimes_per_1000_ci_low,
    s.crimes_per_1000_ci_high,
    b.reference_rate * 1000 AS reference_rate_per_1000,
    b.crime_count_prev_year,
    s.crimes_change_pct AS change_pct,
    s.crimes_p_value AS p_value,
    b.referral_count,
    b.population_0_17,
    s.referrals_per_1000 AS referrals_per_1000_0_17,
    s.referrals_per_1000_ci_low AS referrals_per_1000_0_17_ci_low,
    s.referrals_per_1000_ci_high AS referrals_per_1000_0_17_ci_high,
    b.referral_count_prev_year,
    s.referrals_change_pct AS referral_change_pct,
    s.referrals_p_value AS referral_p_value,
    b.sig_referral_count
FROM intermediate.municipality_year_base AS b
JOIN stats_municipality_year AS s USING (year)
ORDER BY b.year;
