-- main.area_survey_year: survey shares per area (or kommun), year, question and sex, with
-- interval, change since the previous survey and comparison with the municipality.
-- Statistics (stats_area_survey_year) come from assets/marts/survey.py; only survey years
-- have rows: nothing is filled in between (data-contract §2.8).
CREATE OR REPLACE TABLE main.area_survey_year AS
SELECT area_id::VARCHAR AS area_id,
       year::INTEGER AS year,
       question::VARCHAR AS question,
       sex::VARCHAR AS sex,
       respondents::BIGINT AS respondents,
       share_pct::DOUBLE AS share_pct,
       ci_low::DOUBLE AS ci_low,
       ci_high::DOUBLE AS ci_high,
       ci_source::VARCHAR AS ci_source,
       prev_survey_year::INTEGER AS prev_survey_year,
       change_pp::DOUBLE AS change_pp,
       p_value::DOUBLE AS p_value,
       q_value::DOUBLE AS q_value,
       kommun_share_pct::DOUBLE AS kommun_share_pct,
       kommun_p_value::DOUBLE AS kommun_p_value,
       kommun_q_value::DOUBLE AS kommun_q_value
FROM stats_area_survey_year
ORDER BY area_id, year, question, sex;
