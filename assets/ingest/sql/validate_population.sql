-- befolkning/: type each raw row and give the first reason it cannot be accepted (§2.2).
-- Input: TEMP VIEW src (file_ord, row_number, omrade_id, ar, aldersgrupp, kon, antal) and
-- variables h_<column>. Overlapping age bands are judged later, across all rows
-- (population_bands.sql), because they need every band of an area, year and sex.
WITH typed AS (
    SELECT
        s.*,
        CASE WHEN is_unplaced_area(s.omrade_id) THEN 'okant' ELSE trim(s.omrade_id) END AS area_key,
        year_value(s.ar) AS year_parsed,
        age_group_value(s.aldersgrupp) AS age_group_parsed,
        sex_value(s.kon) AS sex_parsed,
        a.area_id IS NOT NULL OR is_unplaced_area(s.omrade_id) AS is_known_area
    FROM src AS s
    LEFT JOIN staging.area AS a ON a.area_id = trim(s.omrade_id)
),
judged AS (
    SELECT
        *,
        CASE
            WHEN is_blank(omrade_id) AND is_blank(ar) AND is_blank(aldersgrupp)
                 AND is_blank(kon) AND is_blank(antal)
                THEN {'reason': 'blank_row', 'col': NULL, 'detail': NULL}
            WHEN is_blank(omrade_id)
                THEN missing_value(getvariable('h_omrade_id'))
            WHEN is_blank(ar)
                THEN missing_value(getvariable('h_ar'))
            WHEN is_blank(aldersgrupp)
                THEN missing_value(getvariable('h_aldersgrupp'))
            WHEN is_blank(kon)
                THEN missing_value(getvariable('h_kon'))
            WHEN year_parsed IS NULL
                THEN invalid_value('invalid_year', getvariable('h_ar'), ar,
                               'is not a year (YYYY)')
            WHEN age_group_parsed IS NULL
                THEN invalid_value('invalid_age_group', getvariable('h_aldersgrupp'), aldersgrupp,
                               'is not an age band (A-B, A+ or totalt)')
            WHEN sex_parsed IS NULL
                THEN invalid_value('invalid_sex', getvariable('h_kon'), kon,
                               'is not kvinnor/man/totalt (or K/M/T)')
            WHEN NOT is_count_ok(antal)
                THEN invalid_value('invalid_count', getvariable('h_antal'), antal,
                               'is not a whole number >= 0')
            WHEN NOT is_known_area
                THEN invalid_value('unknown_area', getvariable('h_omrade_id'), omrade_id,
                               'is not a known area (omraden/)')
        END AS problem
    FROM typed
)
SELECT
    file_ord,
    row_number,
    area_key AS area_id,
    year_parsed AS year,
    age_group_parsed AS age_group,
    age_min(age_group_parsed) AS age_min,
    age_max(age_group_parsed) AS age_max,
    sex_parsed AS sex,
    CASE WHEN problem IS NULL THEN count_value(antal) END AS population,
    problem.reason AS reason,
    problem.col AS column_name,
    problem.detail AS detail,
    CASE WHEN problem IS NOT NULL THEN {{raw_json}} END AS raw
FROM judged
