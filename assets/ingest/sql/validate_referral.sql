-- orosanmalningar/: type each raw row and give the first reason it cannot be accepted (§2.4).
-- Input: TEMP VIEW src (file_ord, row_number, omrade_id, manad, typ, kalla, aldersgrupp, kon,
-- antal) and variables h_<column>.
WITH typed AS (
    SELECT
        s.*,
        CASE WHEN is_unplaced_area(s.omrade_id) THEN 'okant' ELSE trim(s.omrade_id) END AS area_key,
        month_value(s.manad) AS month_parsed,
        CASE
            WHEN is_blank(s.typ) THEN 'orosanmalan'
            WHEN fold(s.typ) IN ('orosanmalan', 'orosanmalning', 'orosanmalningar', 'oro')
                THEN 'orosanmalan'
            WHEN fold(s.typ) IN ('sig', 'social insatsgrupp', 'sociala insatsgrupper')
                THEN 'sig'
        END AS type_parsed,
        -- Reporter: the contract's categories, folded; anything else is grouped as 'ovriga'
        -- (the original text is kept in source_text and listed in the load log).
        CASE
            WHEN fold(s.kalla) IN ('polis', 'skola', 'forskola', 'socialtjanst', 'anhorig', 'ovriga')
                THEN fold(s.kalla)
            WHEN regexp_replace(fold(s.kalla), '[^a-z]', '', 'g') = 'halsoochsjukvard'
                THEN 'halso- och sjukvard'
            ELSE 'ovriga'
        END AS source_parsed,
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
            WHEN is_blank(omrade_id) AND is_blank(manad) AND is_blank(typ) AND is_blank(kalla)
                 AND is_blank(aldersgrupp) AND is_blank(kon) AND is_blank(antal)
                THEN {'reason': 'blank_row', 'col': NULL, 'detail': NULL}
            WHEN is_blank(omrade_id)
                THEN missing_value(getvariable('h_omrade_id'))
            WHEN is_blank(manad)
                THEN missing_value(getvariable('h_manad'))
            WHEN is_blank(kalla)
                THEN missing_value(getvariable('h_kalla'))
            WHEN is_blank(aldersgrupp)
                THEN missing_value(getvariable('h_aldersgrupp'))
            WHEN is_blank(kon)
                THEN missing_value(getvariable('h_kon'))
            WHEN month_parsed IS NULL
                THEN invalid_value('invalid_month', getvariable('h_manad'), manad,
                               'is not a month (YYYY-MM, YYYYMM or YYYY-MM-01)')
            WHEN type_parsed IS NULL
                THEN invalid_value('invalid_type', getvariable('h_typ'), typ,
                               'is not orosanmalan or sig')
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
    year(month_parsed) AS year,
    month_parsed AS month,
    type_parsed AS type,
    source_parsed AS source,
    fold(kalla) AS source_text,
    age_group_parsed AS age_group,
    age_min(age_group_parsed) AS age_min,
    age_max(age_group_parsed) AS age_max,
    sex_parsed AS sex,
    CASE WHEN problem IS NULL THEN count_value(antal) END AS referral_count,
    problem.reason AS reason,
    problem.col AS column_name,
    problem.detail AS detail,
    CASE WHEN problem IS NOT NULL THEN {{raw_json}} END AS raw
FROM judged
