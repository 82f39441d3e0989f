-- The distinct month texts of `src` (manad), parsed once each.
SELECT manad, month_value(manad) AS month_parsed, is_blank(manad) AS month_blank
FROM (SELECT DISTINCT manad FROM src)
