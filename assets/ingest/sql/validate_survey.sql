-- trygghet/: type each raw row and give the first reason it cannot be accepted (§2.8).
-- Input: TEMP VIEW src (file_ord, row_number, omrade_id, ar, fraga, kon, antal_svarande,
-- andel, ki_lag, ki_hog) and variables h_<column>.
-- 'kommun' is the survey's own estimate for the whole municipality: a known area here.
WITH typed AS (
    SELECT
        s.*,
        CASE
            WHEN fold(s.omrade_id) = 'kommun' THEN 'kommun'
            WHEN is_unplaced_area(s.omrade_id) THEN 'okant'
            ELSE trim(s.omrade_id)
        END AS area_key,
        a.area_id IS NOT NULL OR fold(s.omrade_id) = 'kommun' AS is_known_area,
        year_value(s.ar) AS year_parsed,
        q.question IS NOT NULL AS is_known_question,
        -- An empty cell means totalt (data-contract §2.8).
        CASE WHEN is_blank(s.kon) THEN 'totalt' ELSE sex_value(s.kon) END AS sex_parsed,
        as_number(s.andel) AS share_parsed,
        as_number(s.ki_lag) AS ci_low_parsed,
        as_number(s.ki_hog) AS ci_high_parsed
    FROM src AS s
    LEFT JOIN staging.area AS a ON a.area_id = trim(s.omrade_id)
    LEFT JOIN staging.survey_question AS q ON q.question = fold(s.fraga)
),
judged AS (
    SELECT
        *,
        CASE
            WHEN is_blank(omrade_id) AND is_blank(ar) AND is_blank(fraga) AND is_blank(kon)
                 AND is_blank(antal_svarande) AND is_blank(andel) AND is_blank(ki_lag)
                 AND is_blank(ki_hog)
                THEN {'reason': 'blank_row', 'col': NULL, 'detail': NULL}
            WHEN is_blank(omrade_id)
                THEN missing_value(getvariable('h_omrade_id'))
            WHEN is_blank(ar)
                THEN missing_value(getvariable('h_ar'))
            WHEN is_blank(fraga)
                THEN missing_value(getvariable('h_fraga'))
            WHEN is_blank(antal_svarande)
                THEN missing_value(getvariable('h_antal_svarande'))
            WHEN is_blank(andel)
                THEN missing_value(getvariable('h_andel'))
            WHEN year_parsed IS NULL
                THEN invalid_value('invalid_year', getvariable('h_ar'), ar,
                               'is not a year (YYYY)')
            WHEN sex_parsed IS NULL
                THEN invalid_value('invalid_sex', getvariable('h_kon'), kon,
                               'is not kvinnor/man/totalt (or K/M/T)')
            WHEN NOT is_known_question
                THEN invalid_value('unknown_question', getvariable('h_fraga'), fraga,
                               'is not a question in referens/trygghetsfragor.csv')
            WHEN NOT is_whole_number(antal_svarande)
                THEN invalid_value('invalid_count', getvariable('h_antal_svarande'),
                               antal_svarande, 'is not a whole number >= 0')
            WHEN share_parsed IS NULL OR NOT isfinite(share_parsed)
                 OR share_parsed NOT BETWEEN 0 AND 100
                THEN invalid_value('invalid_share', getvariable('h_andel'), andel,
                               'is not a percentage between 0 and 100')
            WHEN is_blank(ki_lag) <> is_blank(ki_hog)
                THEN invalid_value('invalid_interval',
                               CASE WHEN is_blank(ki_lag) THEN getvariable('h_ki_lag')
                                    ELSE getvariable('h_ki_hog') END,
                               NULL, 'while the other interval limit is given')
            WHEN NOT is_blank(ki_lag) AND (ci_low_parsed IS NULL
                 OR NOT isfinite(ci_low_parsed) OR ci_low_parsed NOT BETWEEN 0 AND 100
                 OR ci_low_parsed > share_parsed)
                THEN invalid_value('invalid_interval', getvariable('h_ki_lag'), ki_lag,
                               'is not a percentage between 0 and the share')
            WHEN NOT is_blank(ki_hog) AND (ci_high_parsed IS NULL
                 OR NOT isfinite(ci_high_parsed) OR ci_high_parsed NOT BETWEEN 0 AND 100
                 OR ci_high_parsed < share_parsed)
                THEN invalid_value('invalid_interval', getvariable('h_ki_hog'), ki_hog,
                               'is not a percentage between the share and 100')
            WHEN NOT is_known_area
                THEN invalid_value('unknown_area', getvariable('h_omrade_id'), omrade_id,
                               'is not a known area (omraden/) or kommun')
        END AS problem
    FROM typed
)
SELECT
    file_ord,
    row_number,
    area_key AS area_id,
    year_parsed AS year,
    fold(fraga) AS question,
    sex_parsed AS sex,
    CASE WHEN problem IS NULL THEN count_value(antal_svarande) END AS respondents,
    CASE WHEN problem IS NULL THEN share_parsed END AS share_pct,
    CASE WHEN problem IS NULL THEN ci_low_parsed END AS ci_low_pct,
    CASE WHEN problem IS NULL THEN ci_high_parsed END AS ci_high_pct,
    problem.reason AS reason,
    problem.col AS column_name,
    problem.detail AS detail,
    CASE WHEN problem IS NOT NULL THEN {{raw_json}} END AS raw
FROM judged
