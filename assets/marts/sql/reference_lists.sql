-- main.theme and main.crime_category: the reference lists this run used.
CREATE OR REPLACE TABLE main.theme AS
SELECT theme, description, is_prioritised, sort_order, is_listed
FROM staging.theme ORDER BY sort_order;
CREATE OR REPLACE TABLE main.crime_category AS
SELECT c.crime_category, c.theme, c.is_signal_crime
FROM staging.crime_category AS c
JOIN staging.theme AS t USING (theme)
ORDER BY t.sort_order, c.crime_category;
