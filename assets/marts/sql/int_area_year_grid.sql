-- intermediate.area_year_grid: every known area × every year of the calendar, with the
-- population that applies: the year's own, or else the latest earlier year's (statistics.md).
CREATE OR REPLACE TABLE intermediate.area_year_grid AS
SELECT
    a.area_id,
    c.year,
    c.is_complete_year,
    p.population,
    p.year AS population_year,
    p.population_basis,
    p.population_0_17
FROM staging.area AS a
CROSS JOIN intermediate.calendar AS c
ASOF LEFT JOIN intermediate.population_year AS p
    ON p.area_id = a.area_id AND c.year >= p.year;
