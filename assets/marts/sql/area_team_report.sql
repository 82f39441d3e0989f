-- main.area_team_report: the area teams' assessments per area, period and theme; free text
-- already screened for personnummer, phone numbers and e-mail, and cut to 2,000 characters.
-- Every observation is kept here, for those with access; is_published says which ones a
-- person has reviewed for the public report and public/ (publiceras = ja, §2.5).
CREATE OR REPLACE TABLE main.area_team_report AS
SELECT
    t.area_id, t.period, t.period_kind, t.period_start, t.period_end, t.year, t.theme,
    t.assessment, t.activities, t.observations, t.is_published, f.file AS source_file
FROM staging.area_team AS t
JOIN ingest.area_team_load_log AS f USING (file_ord)
ORDER BY t.area_id, t.period_start, t.theme;
