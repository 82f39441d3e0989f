-- main.area_theme_year: every known area × theme × year (dense), with rates, change, and
-- the comparison with the whole (funnel, smoothed rate, hot spots).
-- The q-value family is all area × theme cells of the same year (statistics.md).
CREATE OR REPLACE TABLE main.area_theme_year AS
SELECT
    b.area_id,
    b.year,
    b.theme,
    b.is_complete_year,
    b.crime_count,
    b.signal_crime_count,
    b.missing_cells,
    b.population,
    b.population_year,
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
    s.crimes_hotspot AS hotspot
FROM intermediate.area_theme_year_base AS b
JOIN stats_area_theme_year AS s USING (area_id, year, theme)
ORDER BY b.area_id, b.year, b.theme;
