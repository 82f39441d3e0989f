-- main.area_month: the monthly series per area, with months above the area's usual range
-- flagged (upper limit from stats_area_month, Python).
CREATE OR REPLACE TABLE main.area_month AS
SELECT
    b.area_id,
    b.month,
    b.year,
    b.crime_count,
    b.expected_count,
    b.years_in_expected,
    s.usual_high,
    coalesce(b.crime_count > s.usual_high, false) AS is_above_usual
FROM intermediate.area_month_base AS b
JOIN stats_area_month AS s USING (area_id, month)
ORDER BY b.area_id, b.month;
