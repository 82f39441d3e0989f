-- main.theme_year_dispersion: the funnel's reference rate and overdispersion per theme and
-- year, and for all crimes ('alla brott'): Spiegelhalter (2005) / PHE, statistics.md.
-- Computed in Python (assets/stats/dispersion.py) over the areas with population > 0.
CREATE OR REPLACE TABLE main.theme_year_dispersion AS
SELECT
    s.theme,
    s.year::INTEGER AS year,
    c.is_complete_year,
    s.areas::INTEGER AS areas,
    s.reference_rate * 1000 AS reference_per_1000,
    s.phi,
    s.tau2,
    s.tau2 > 0 AS is_overdispersed
FROM stats_theme_year_dispersion AS s
JOIN intermediate.calendar AS c ON c.year = s.year
ORDER BY s.year, s.theme = 'alla brott' DESC, s.theme;
