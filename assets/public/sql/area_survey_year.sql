-- public.area_survey_year before disclosure control (assets/public/survey.py hides shares from
-- too few respondents and everything computed from them).
SELECT s.area_id, coalesce(a.area_name, 'Hela kommunen') AS area_name, s.year, s.question,
       s.question_text, s.high_share_is_worse, s.sex, s.respondents, s.share_pct, s.ci_low, s.ci_high, s.ci_source, s.prev_survey_year,
       s.change_pp, s.p_value, s.q_value, s.kommun_share_pct, s.kommun_p_value, s.kommun_q_value
FROM main.area_survey_year AS s
LEFT JOIN main.area AS a USING (area_id)
ORDER BY s.area_id, s.year, s.question, s.sex
