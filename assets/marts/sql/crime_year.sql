-- main.crime_year: yearly crime counts per area and category, from monthly and yearly
-- deliveries alike. The base of area_year and area_theme_year.
CREATE OR REPLACE TABLE main.crime_year AS
SELECT
    c.area_id,
    c.year,
    c.crime_category,
    any_value(c.theme) AS theme,
    any_value(k.is_signal_crime) AS is_signal_crime,
    sum(c.crime_count) AS crime_count,
    count(*) FILTER (WHERE c.crime_count IS NULL) AS missing_cells,
    -- staging.crime holds each (area, month, category) once, so no DISTINCT is needed.
    count(c.month) AS months_with_data,
    bool_or(c.is_yearly_delivery) AS is_yearly_delivery
FROM staging.crime AS c
JOIN staging.crime_category AS k USING (crime_category)
GROUP BY c.area_id, c.year, c.crime_category
ORDER BY c.area_id, c.year, c.crime_category;
