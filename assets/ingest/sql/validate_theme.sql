-- referens/teman.csv: the lägesbild's themes (§2.6).
-- Input: TEMP VIEW src (file_ord, row_number, tema, beskrivning).
WITH judged AS (
    SELECT
        *,
        CASE
            WHEN is_blank(tema) AND is_blank(beskrivning)
                THEN {'reason': 'blank_row', 'col': NULL, 'detail': NULL}
            WHEN is_blank(tema)
                THEN missing_value(getvariable('h_tema'))
        END AS problem
    FROM src
)
SELECT
    file_ord,
    row_number,
    trim(tema) AS theme,
    fold(tema) AS theme_key,
    nullif(trim(beskrivning), '') AS description,
    problem.reason AS reason,
    problem.col AS column_name,
    problem.detail AS detail,
    CASE WHEN problem IS NOT NULL THEN {{raw_json}} END AS raw
FROM judged
