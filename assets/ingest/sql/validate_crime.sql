-- brott/: type each raw row and give the first reason it cannot be accepted (data-contract §2.3).
-- Input: TEMP VIEW src (file_ord, row_number, omrade_id, manad, ar, brottskategori, antal),
-- variables h_<column> (the file's own header names) and delivery ('monthly' | 'yearly').
-- Output columns: the staging.crime columns, then reason, column_name, detail, raw.
-- A delivery repeats few distinct texts millions of times, so each rule runs once per distinct
-- text (the lookups, blank tests included) and the rows only join on the exact text.
WITH area_lookup AS (
    {{lookup_area}}
),
month_lookup AS (
    {{lookup_month}}
),
year_lookup AS (
    SELECT ar, year_value(ar) AS year_parsed, is_blank(ar) AS year_blank
    FROM (SELECT DISTINCT ar FROM src)
),
category_lookup AS (
    SELECT k.brottskategori, c.crime_category, c.theme,
           is_blank(k.brottskategori) AS category_blank
    FROM (SELECT DISTINCT brottskategori FROM src) AS k
    LEFT JOIN staging.crime_category AS c ON c.category_key = fold(k.brottskategori)
),
count_lookup AS (
    {{lookup_count}}
),
typed AS (
    SELECT
        s.*,
        a.area_key,
        m.month_parsed,
        y.year_parsed,
        coalesce(a.is_known_area, false) AS is_known_area,
        c.crime_category,
        c.theme,
        -- An empty cell is "not available" (NULL), which is a valid count.
        coalesce(n.is_count_ok, s.antal IS NULL) AS is_count_ok,
        n.count_parsed,
        -- A NULL text finds no lookup row, and NULL is blank.
        coalesce(a.area_blank, true) AS area_blank,
        coalesce(m.month_blank, true) AS month_blank,
        coalesce(y.year_blank, true) AS year_blank,
        coalesce(c.category_blank, true) AS category_blank,
        coalesce(n.count_blank, true) AS count_blank
    FROM src AS s
    LEFT JOIN area_lookup AS a ON a.omrade_id = s.omrade_id
    LEFT JOIN month_lookup AS m ON m.manad = s.manad
    LEFT JOIN year_lookup AS y ON y.ar = s.ar
    LEFT JOIN category_lookup AS c ON c.brottskategori = s.brottskategori
    LEFT JOIN count_lookup AS n ON n.antal = s.antal
),
judged AS (
    SELECT
        *,
        getvariable('delivery') = 'monthly' AS is_monthly,
        CASE
            WHEN area_blank AND month_blank AND year_blank AND category_blank AND count_blank
                THEN {'reason': 'blank_row', 'col': NULL, 'detail': NULL}
            WHEN area_blank
                THEN missing_value(getvariable('h_omrade_id'))
            WHEN getvariable('delivery') = 'monthly' AND month_blank
                THEN missing_value(getvariable('h_manad'))
            WHEN getvariable('delivery') = 'yearly' AND year_blank
                THEN missing_value(getvariable('h_ar'))
            WHEN category_blank
                THEN missing_value(getvariable('h_brottskategori'))
            WHEN getvariable('delivery') = 'monthly' AND month_parsed IS NULL
                THEN invalid_value('invalid_month', getvariable('h_manad'), manad,
                               'is not a month (YYYY-MM, YYYYMM or YYYY-MM-01)')
            WHEN getvariable('delivery') = 'yearly' AND year_parsed IS NULL
                THEN invalid_value('invalid_year', getvariable('h_ar'), ar,
                               'is not a year (YYYY)')
            WHEN NOT is_count_ok
                THEN invalid_value('invalid_count', getvariable('h_antal'), antal,
                               'is not a whole number >= 0')
            WHEN NOT is_known_area
                THEN invalid_value('unknown_area', getvariable('h_omrade_id'), omrade_id,
                               'is not a known area (omraden/)')
            WHEN crime_category IS NULL
                THEN invalid_value('unknown_category', getvariable('h_brottskategori'),
                               brottskategori,
                               'is not in referens/brottskategorier.csv')
        END AS problem
    FROM typed
)
SELECT
    file_ord,
    row_number,
    area_key AS area_id,
    CASE WHEN is_monthly THEN year(month_parsed) ELSE year_parsed END AS year,
    CASE WHEN is_monthly THEN month_parsed END AS month,
    crime_category,
    theme,
    CASE WHEN problem IS NULL THEN count_parsed END AS crime_count,
    NOT is_monthly AS is_yearly_delivery,
    problem.reason AS reason,
    problem.col AS column_name,
    problem.detail AS detail,
    CASE WHEN problem IS NOT NULL THEN {{raw_json}} END AS raw
FROM judged
