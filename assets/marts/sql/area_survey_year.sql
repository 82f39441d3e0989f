-- main.area_survey_year: survey shares per area (or kommun), year, question and sex, with
-- interval, change since the previous survey and comparison with the municipality.
-- Statistics (stats_area_survey_year) come from assets/marts/survey.py; only survey years
-- have rows: nothing is filled in between (data-contract §2.8).
CREATE OR REPLACE TABLE main.area_survey_year AS
SELECT s.area_id::VARCHAR AS area_id,
       s.year::INTEGER AS year,
       s.question::VARCHAR AS question,
       q.question_text::VARCHAR AS question_text,
       q.high_share_is_worse::BOOLEAN AS high_share_is_worse,
       s.sex::VARCHAR AS sex,
       s.respondents::BIGINT AS respondents,
       s.share_pct::DOUBLE AS share_pct,
       s.ci_low::DOUBLE AS ci_low,
       s.ci_high::DOUBLE AS ci_high,
       s.ci_source::VARCHAR AS ci_source,
       s.prev_survey_year::INTEGER AS prev_survey_year,
       s.change_pp::DOUBLE AS change_pp,
       s.p_value::DOUBLE AS p_value,
       s.q_value::DOUBLE AS q_value,
       s.kommun_share_pct::DOUBLE AS kommun_share_pct,
       s.kommun_p_value::DOUBLE AS kommun_p_value,
       s.kommun_q_value::DOUBLE AS kommun_q_value
FROM stats_area_survey_year AS s
-- The question's wording and direction (referens/trygghetsfragor.csv), for the report.
LEFT JOIN staging.survey_question AS q USING (question)
ORDER BY s.area_id, s.year, s.question, s.sex;
