-- main.municipality_theme_year: the whole per theme and year, including 'okant' crimes.
CREATE OR REPLACE TABLE main.municipality_theme_year AS
SELECT
    b.year,
    b.theme,
    b.is_complete_year,
    b.crime_count,
    b.unplaced_crime_count,
    b.signal_crime_count,
    b.population,
    s.crimes_per_1000,
    s.crimes_per_1000_ci_low,
    s.crimes_per_1000_ci_high,
    b.reference_rate * 1000 AS reference_rate_per_1000,
    b.crime_count_prev_year,
    s.crimes_change_pct AS change_pct,
    s.crimes_p_value AS p_value,
    s.crimes_q_value AS q_value
FROM intermediate.municipality_theme_year_base AS b
JOIN stats_municipality_theme_year AS s USING (year, theme)
ORDER BY b.year, b.theme;
