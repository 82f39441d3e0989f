-- The distinct area texts of `src` (omrade_id), judged once each: the staging area key
-- ('okant' for an unplaced area), whether the area is known, and whether the text is blank.
SELECT k.omrade_id,
       CASE WHEN is_unplaced_area(k.omrade_id) THEN 'okant' ELSE trim(k.omrade_id) END
           AS area_key,
       a.area_id IS NOT NULL OR is_unplaced_area(k.omrade_id) AS is_known_area,
       is_blank(k.omrade_id) AS area_blank
FROM (SELECT DISTINCT omrade_id FROM src) AS k
LEFT JOIN staging.area AS a ON a.area_id = trim(k.omrade_id)
