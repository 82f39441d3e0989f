-- A yearly and a monthly delivery for the same area, year and category would count the same
-- crimes twice. The file that sorts last wins the whole area × year × category: the other
-- delivery's rows for it are superseded. Run only when a source has both kinds of file.
-- Placeholder: {{checked}}, the checked-rows table of brott/ (see loader.py).
INSERT INTO superseded_rows
WITH live AS (
    SELECT c.file_ord, c.row_number, c.area_id, c.year, c.crime_category, c.is_yearly_delivery
    FROM {{checked}} AS c
    ANTI JOIN superseded_rows AS s USING (file_ord, row_number)
    WHERE c.reason IS NULL
),
kinds AS (
    SELECT area_id, year, crime_category,
           max(file_ord) FILTER (WHERE is_yearly_delivery) AS yearly_ord,
           max(file_ord) FILTER (WHERE NOT is_yearly_delivery) AS monthly_ord
    FROM live
    GROUP BY ALL
    HAVING yearly_ord IS NOT NULL AND monthly_ord IS NOT NULL
)
SELECT l.file_ord, l.row_number, greatest(k.yearly_ord, k.monthly_ord) AS superseded_by_ord
FROM live AS l
JOIN kinds AS k USING (area_id, year, crime_category)
WHERE l.is_yearly_delivery = (k.monthly_ord > k.yearly_ord);
