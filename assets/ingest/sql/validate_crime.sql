-- brott/: type each raw row and give the first reason it cannot be accepted (data-contract §2.3).
-- Input: TEMP VIEW src (file_ord, row_number, omrade_id, manad, ar, brottskategori, antal),
-- variables h_<column> (the file's own header names) and delivery ('monthly' | 'yearly').
-- Output columns: the staging.crime columns, then reason, column_name, detail, raw.
WITH typed AS (
    SELECT
        s.*,
        CASE WHEN is_unplaced_area(s.omrade_id) THEN 'okant' ELSE trim(s.omrade_id) END AS area_key,
        month_value(s.manad) AS month_parsed,
        year_value(s.ar) AS year_parsed,
        a.area_id IS NOT NULL OR is_unplaced_area(s.omrade_id) AS is_known_area,
        c.crime_category,
        c.theme
    FROM src AS s
    LEFT JOIN staging.area AS a ON a.area_id = trim(s.omrade_id)
    LEFT JOIN staging.crime_category AS c ON c.category_key = fold(s.brottskategori)
),
judged AS (
    SELECT
        *,
        getvariable('delivery') = 'monthly' AS is_monthly,
        CASE
            WHEN is_blank(omrade_id) AND is_blank(manad) AND is_blank(ar)
                 AND is_blank(brottskategori) AND is_blank(antal)
                THEN {'reason': 'blank_row', 'col': NULL, 'detail': NULL}
            WHEN is_blank(omrade_id)
                THEN {'reason': 'missing_value', 'col': getvariable('h_omrade_id'),
                      'detail': 'column ''' || getvariable('h_omrade_id') || ''' is empty'}
            WHEN getvariable('delivery') = 'monthly' AND is_blank(manad)
                THEN {'reason': 'missing_value', 'col': getvariable('h_manad'),
                      'detail': 'column ''' || getvariable('h_manad') || ''' is empty'}
            WHEN getvariable('delivery') = 'yearly' AND is_blank(ar)
                THEN {'reason': 'missing_value', 'col': getvariable('h_ar'),
                      'detail': 'column ''' || getvariable('h_ar') || ''' is empty'}
            WHEN is_blank(brottskategori)
                THEN {'reason': 'missing_value', 'col': getvariable('h_brottskategori'),
                      'detail': 'column ''' || getvariable('h_brottskategori') || ''' is empty'}
            WHEN getvariable('delivery') = 'monthly' AND month_parsed IS NULL
                THEN {'reason': 'invalid_month', 'col': getvariable('h_manad'),
                      'detail': 'column ''' || getvariable('h_manad') || ''': ' || quoted(manad)
                                || ' is not a month (YYYY-MM, YYYYMM or YYYY-MM-01)'}
            WHEN getvariable('delivery') = 'yearly' AND year_parsed IS NULL
                THEN {'reason': 'invalid_year', 'col': getvariable('h_ar'),
                      'detail': 'column ''' || getvariable('h_ar') || ''': ' || quoted(ar)
                                || ' is not a year (YYYY)'}
            WHEN NOT is_count_ok(antal)
                THEN {'reason': 'invalid_count', 'col': getvariable('h_antal'),
                      'detail': 'column ''' || getvariable('h_antal') || ''': ' || quoted(antal)
                                || ' is not a whole number >= 0'}
            WHEN NOT is_known_area
                THEN {'reason': 'unknown_area', 'col': getvariable('h_omrade_id'),
                      'detail': 'column ''' || getvariable('h_omrade_id') || ''': '
                                || quoted(omrade_id) || ' is not a known area (omraden/)'}
            WHEN crime_category IS NULL
                THEN {'reason': 'unknown_category', 'col': getvariable('h_brottskategori'),
                      'detail': 'column ''' || getvariable('h_brottskategori') || ''': '
                                || quoted(brottskategori)
                                || ' is not in referens/brottskategorier.csv'}
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
    CASE WHEN problem IS NULL THEN count_value(antal) END AS crime_count,
    NOT is_monthly AS is_yearly_delivery,
    problem.reason AS reason,
    problem.col AS column_name,
    problem.detail AS detail,
    CASE WHEN problem IS NOT NULL THEN {{raw_json}} END AS raw
FROM judged
