-- intermediate.area_month_base: total crimes per known area and month (monthly deliveries),
-- dense over the months with monthly data, with the same calendar month's mean over the
-- (up to) three previous years as the area's usual level. Only earlier data are used, so a
-- month's flag never changes when later data arrive.
CREATE OR REPLACE TABLE intermediate.area_month_base AS
WITH bounds AS (
    SELECT min(month) AS first_month, max(month) AS last_month
    FROM staging.crime WHERE month IS NOT NULL
),
months AS (
    SELECT m::DATE AS month
    FROM bounds, range(first_month, last_month + INTERVAL 1 MONTH, INTERVAL 1 MONTH) AS r(m)
),
counts AS (
    SELECT area_id, month, sum(crime_count) AS crime_count
    FROM staging.crime
    WHERE month IS NOT NULL AND area_id <> 'okant'
    GROUP BY ALL
),
dense AS (
    SELECT a.area_id, m.month, coalesce(c.crime_count, 0) AS crime_count
    FROM staging.area AS a
    CROSS JOIN months AS m
    LEFT JOIN counts AS c USING (area_id, month)
)
SELECT
    d.area_id,
    d.month,
    year(d.month) AS year,
    d.crime_count,
    avg(p.crime_count) AS expected_count,
    count(p.crime_count) AS years_in_expected
FROM dense AS d
LEFT JOIN dense AS p
  ON p.area_id = d.area_id
 AND month(p.month) = month(d.month)
 AND year(p.month) BETWEEN year(d.month) - 3 AND year(d.month) - 1
GROUP BY d.area_id, d.month, d.crime_count;
