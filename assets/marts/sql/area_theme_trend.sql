-- main.area_theme_trend: the five-year trend of every area and the municipality ('kommun'),
-- per theme and for all crimes ('alla brott'), one row per complete year as last_year
-- (dense; trend columns NULL where statistics.md gives none). Computed in Python
-- (assets/stats/trend.py): Poisson GLM with log population offset, quasi-Poisson scale.
CREATE OR REPLACE TABLE main.area_theme_trend AS
SELECT
    s.area_id,
    s.theme,
    s.last_year::INTEGER AS last_year,
    s.first_year::INTEGER AS first_year,
    s.years_used::INTEGER AS years_used,
    s.trend_pct_per_year,
    s.trend_ci_low,
    s.trend_ci_high,
    s.scale,
    s.p_value,
    s.q_value
FROM stats_area_theme_trend AS s
ORDER BY s.area_id = 'kommun' DESC, s.area_id, s.theme = 'alla brott' DESC, s.theme,
         s.last_year;
