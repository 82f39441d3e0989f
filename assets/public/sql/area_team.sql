-- Area-team assessments are the teams' own judgements, not counts of people: no suppression.
-- The free text has already been screened for personal data.
SELECT t.area_id, a.area_name, t.period, t.period_kind, t.period_start, t.period_end, t.year,
       t.theme, t.assessment, t.activities, t.observations
FROM main.area_team_report AS t JOIN main.area AS a USING (area_id)
ORDER BY t.area_id, t.period_start, t.theme;
