-- referens/brottskategorier.csv: crime category → theme, and signal crime (§2.6).
-- Input: TEMP VIEW src (file_ord, row_number, brottskategori, tema, signalbrott).
WITH judged AS (
    SELECT
        *,
        CASE
            WHEN is_blank(brottskategori) AND is_blank(tema) AND is_blank(signalbrott)
                THEN {'reason': 'blank_row', 'col': NULL, 'detail': NULL}
            WHEN is_blank(brottskategori)
                THEN missing_value(getvariable('h_brottskategori'))
            WHEN is_blank(tema)
                THEN missing_value(getvariable('h_tema'))
        END AS problem
    FROM src
)
SELECT
    file_ord,
    row_number,
    trim(brottskategori) AS crime_category,
    fold(brottskategori) AS category_key,
    trim(tema) AS theme,
    fold(tema) AS theme_key,
    -- An empty flag means 'nej'; an unreadable one too, and the load log says so.
    coalesce(yes_no_value(signalbrott), false) AS is_signal_crime,
    NOT is_blank(signalbrott) AND yes_no_value(signalbrott) IS NULL AS signal_flag_unreadable,
    problem.reason AS reason,
    problem.col AS column_name,
    problem.detail AS detail,
    CASE WHEN problem IS NOT NULL THEN {{raw_json}} END AS raw
FROM judged
