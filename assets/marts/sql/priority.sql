-- main.priority: the prioritisation score per area × theme × complete year, with its
-- components (stats_priority from assets/stats/priority.py), and the rules it follows.
CREATE OR REPLACE TABLE main.priority AS
SELECT
    i.area_id, i.year, i.theme,
    i.is_prioritised,
    s.rank,
    s.score,
    s.volume_points, s.trend_points, s.deviation_points, s.signal_points, s.people_points,
    i.crime_count, i.mean_area_count, s.volume_ratio,
    i.crimes_per_1000, i.reference_rate_per_1000, s.rate_ratio,
    i.trend_pct_per_year, i.trend_q_value,
    i.change_pct, i.q_value, i.funnel_position, i.signal_crime_count,
    i.referral_funnel_position, i.team_assessment
FROM intermediate.priority_input AS i
JOIN stats_priority AS s USING (area_id, year, theme)
ORDER BY i.year, s.rank NULLS LAST, i.area_id, i.theme;
