-- The distinct count texts of `src` (antal), checked and parsed once each.
SELECT antal, is_count_ok(antal) AS is_count_ok, is_blank(antal) AS count_blank,
       CASE WHEN is_count_ok(antal) THEN count_value(antal) END AS count_parsed
FROM (SELECT DISTINCT antal FROM src)
