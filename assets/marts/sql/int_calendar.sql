-- intermediate.calendar: the years the marts cover, and which are complete.
-- Years run from the first to the last year with crime data. With monthly deliveries, a year
-- is complete when the data reach its December; the year of the last delivered month is
-- partial otherwise (e.g. January–September). Yearly deliveries are complete by nature.
CREATE SCHEMA IF NOT EXISTS intermediate;
CREATE OR REPLACE TABLE intermediate.calendar AS
WITH bounds AS (
    SELECT min(year) AS first_year, max(year) AS last_year,
           max(month) AS last_month
    FROM staging.crime
)
SELECT
    y.year::INTEGER AS year,
    CASE
        WHEN b.last_month IS NULL THEN true
        WHEN y.year < year(b.last_month) THEN true
        WHEN y.year = year(b.last_month) THEN month(b.last_month) = 12
        ELSE true  -- a later year delivered yearly only
    END AS is_complete_year,
    CASE WHEN y.year = year(b.last_month) THEN b.last_month END AS last_month_of_partial_year
FROM bounds AS b, range(b.first_year, b.last_year + 1) AS y(year)
WHERE b.first_year IS NOT NULL;
