-- Overlapping age bands (data-contract §2.2, reason overlapping_band): a band row that
-- overlaps another band of the same area, year and sex. Every row of an overlapping pair goes
-- to quarantine, since neither can be trusted to tile the ages; the `totalt` row is then used
-- for the total where it exists. An open band 'A+' reaches to any age.
-- Placeholder: {{checked}}, the checked-rows table of befolkning/ (see loader.py).
--
-- With the bands of a group sorted by their lower bound, a band overlaps another exactly when
-- an earlier band reaches its lower bound, or the next band starts within it. That is one
-- sort instead of a self-join.
CREATE OR REPLACE TEMP TABLE overlapping_rows AS
WITH bands AS (
    SELECT c.file_ord, c.row_number, c.area_id, c.year, c.sex, c.age_min,
           coalesce(c.age_max, 1000) AS age_max
    FROM {{checked}} AS c
    ANTI JOIN superseded_rows AS s USING (file_ord, row_number)
    WHERE c.reason IS NULL AND c.age_group <> 'totalt'
),
neighbours AS (
    SELECT *,
           max(age_max) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_max,
           lead(age_min) OVER w AS next_min
    FROM bands
    WINDOW w AS (PARTITION BY area_id, year, sex ORDER BY age_min, age_max, file_ord, row_number)
)
SELECT file_ord, row_number
FROM neighbours
WHERE earlier_max >= age_min OR next_min <= age_max;
