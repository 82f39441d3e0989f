-- referens/teman.csv: the lägesbild's themes (§2.6).
-- Input: TEMP VIEW src (file_ord, row_number, tema, beskrivning, prioriteras).
-- prioriteras (ja/nej, default ja): nej marks a residual group such as 'övrigt', which is
-- reported but never becomes a key finding. An unreadable flag reads as the default, and the
-- load log says so (assets/ingest/reference.py).
WITH judged AS (
    SELECT
        *,
        CASE
            WHEN is_blank(tema) AND is_blank(beskrivning) AND is_blank(prioriteras)
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
    coalesce(yes_no_value(prioriteras), true) AS is_prioritised,
    NOT is_blank(prioriteras) AND yes_no_value(prioriteras) IS NULL AS priority_flag_unreadable,
    problem.reason AS reason,
    problem.col AS column_name,
    problem.detail AS detail,
    CASE WHEN problem IS NOT NULL THEN {{raw_json}} END AS raw
FROM judged
