-- Area-team assessments are the teams' own judgements, not counts of people: no suppression.
-- The free text has already been screened for personal data, but screening finds numbers,
-- not names or descriptions: only an observation a person has reviewed (publiceras = ja)
-- is published (§2.5). The others are NULL, and observation_withheld says that there was one.
SELECT t.area_id, a.area_name, t.period, t.period_kind, t.period_start, t.period_end, t.year,
       t.theme, t.assessment, t.activities,
       CASE WHEN t.is_published THEN t.observations END AS observations,
       t.observations IS NOT NULL AND NOT t.is_published AS observation_withheld
FROM main.area_team_report AS t JOIN main.area AS a USING (area_id)
ORDER BY t.area_id, t.period_start, t.theme;
