-- referens/trygghetsfragor.csv: the survey questions (data-contract §2.8).
-- Input: TEMP VIEW src (file_ord, row_number, fraga, text, hog_andel_ar).
WITH judged AS (
    SELECT
        *,
        CASE
            WHEN is_blank(fraga) AND is_blank(text) AND is_blank(hog_andel_ar)
                THEN {'reason': 'blank_row', 'col': NULL, 'detail': NULL}
            WHEN is_blank(fraga)
                THEN missing_value(getvariable('h_fraga'))
            WHEN is_blank(text)
                THEN missing_value(getvariable('h_text'))
            WHEN is_blank(hog_andel_ar)
                THEN missing_value(getvariable('h_hog_andel_ar'))
            WHEN fold(hog_andel_ar) NOT IN ('samre', 'battre')
                THEN invalid_value('invalid_direction', getvariable('h_hog_andel_ar'),
                               hog_andel_ar, 'is not samre or battre')
        END AS problem
    FROM src
)
SELECT
    file_ord,
    row_number,
    fold(fraga) AS question,
    trim(text) AS question_text,
    fold(hog_andel_ar) = 'samre' AS high_share_is_worse,
    problem.reason AS reason,
    problem.col AS column_name,
    problem.detail AS detail,
    CASE WHEN problem IS NOT NULL THEN {{raw_json}} END AS raw
FROM judged
