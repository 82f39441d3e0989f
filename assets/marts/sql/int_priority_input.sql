-- intermediate.priority_input: one row per area × theme × complete year, with what the
-- prioritisation score (assets/stats/priority.py) looks at.
CREATE OR REPLACE TABLE intermediate.priority_input AS
WITH team AS (
    SELECT area_id, theme, year, max(assessment) AS team_assessment
    FROM main.area_team_report GROUP BY ALL
),
-- An average area's crimes: the reference's count (areas with a population) over those areas.
volume AS (
    SELECT year, theme, avg(crime_count) AS mean_area_count
    FROM main.area_theme_year WHERE population > 0 GROUP BY ALL
)
SELECT
    t.area_id, t.year, t.theme,
    th.is_prioritised,
    t.crime_count,
    v.mean_area_count,
    t.crimes_per_1000,
    m.reference_rate_per_1000,
    t.change_pct,
    t.q_value,
    tr.trend_pct_per_year,
    tr.q_value AS trend_q_value,
    t.funnel_position,
    t.signal_crime_count,
    t.signal_crime_count * 1000.0 / nullif(t.population, 0) AS signal_per_1000,
    m.signal_crime_count * 1000.0 / nullif(m.population, 0) AS signal_reference_per_1000,
    a.referral_funnel_position,
    team.team_assessment
FROM main.area_theme_year AS t
JOIN main.municipality_theme_year AS m USING (year, theme)
JOIN main.area_year AS a USING (area_id, year)
JOIN main.theme AS th USING (theme)
LEFT JOIN volume AS v USING (year, theme)
LEFT JOIN main.area_theme_trend AS tr
  ON tr.area_id = t.area_id AND tr.theme = t.theme AND tr.last_year = t.year
LEFT JOIN team USING (area_id, theme, year)
WHERE t.is_complete_year;
