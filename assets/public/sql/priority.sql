-- public.priority before masking: the scores, joined to the area × theme cell they are about
-- so that a suppressed count also hides the score computed from it.
SELECT p.area_id, a.area_name, p.year, p.theme, p.rank, p.score,
       p.prevalence_points, p.trend_points, p.deviation_points, p.signal_points,
       p.people_points, p.crime_count, p.crimes_per_1000, p.reference_rate_per_1000,
       p.rate_ratio, p.change_pct, p.q_value, p.funnel_position, p.team_assessment,
       'c|' || p.year || '|' || p.area_id || '|' || p.theme || '|Totalt' AS crime_cell
FROM main.priority AS p JOIN main.area AS a USING (area_id)
ORDER BY p.year, p.rank;
