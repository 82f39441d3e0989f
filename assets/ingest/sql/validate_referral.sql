-- orosanmalningar/: type each raw row and give the first reason it cannot be accepted (§2.4).
-- Input: TEMP VIEW src (file_ord, row_number, omrade_id, manad, typ, kalla, aldersgrupp, kon,
-- antal) and variables h_<column>.
-- As in validate_crime.sql, each rule runs once per distinct text (the lookups) and the rows
-- join on the exact text. A NULL text finds no lookup row: the coalesces give NULL's answer.
WITH area_lookup AS (
    {{lookup_area}}
),
month_lookup AS (
    {{lookup_month}}
),
type_lookup AS (
    SELECT
        typ,
        CASE
            WHEN is_blank(typ) THEN 'orosanmalan'
            WHEN fold(typ) IN ('orosanmalan', 'orosanmalning', 'orosanmalningar', 'oro')
                THEN 'orosanmalan'
            WHEN fold(typ) IN ('sig', 'social insatsgrupp', 'sociala insatsgrupper')
                THEN 'sig'
        END AS type_parsed,
        is_blank(typ) AS type_blank
    FROM (SELECT DISTINCT typ FROM src)
),
source_lookup AS (
    SELECT
        kalla,
        -- Reporter: the contract's categories, folded; anything else is grouped as 'ovriga'
        -- (the original text is kept in source_text and listed in the load log).
        CASE
            WHEN fold(kalla) IN ('polis', 'skola', 'forskola', 'socialtjanst', 'anhorig', 'ovriga')
                THEN fold(kalla)
            WHEN regexp_replace(fold(kalla), '[^a-z]', '', 'g') = 'halsoochsjukvard'
                THEN 'halso- och sjukvard'
            ELSE 'ovriga'
        END AS source_parsed,
        fold(kalla) AS source_text,
        is_blank(kalla) AS source_blank
    FROM (SELECT DISTINCT kalla FROM src)
),
age_lookup AS (
    SELECT aldersgrupp, age_group_value(aldersgrupp) AS age_group_parsed,
           is_blank(aldersgrupp) AS age_blank
    FROM (SELECT DISTINCT aldersgrupp FROM src)
),
sex_lookup AS (
    SELECT kon, sex_value(kon) AS sex_parsed, is_blank(kon) AS sex_blank
    FROM (SELECT DISTINCT kon FROM src)
),
count_lookup AS (
    {{lookup_count}}
),
typed AS (
    SELECT
        s.*,
        a.area_key,
        m.month_parsed,
        -- An empty type means an orosanmälan (data-contract §2.4).
        CASE WHEN s.typ IS NULL THEN 'orosanmalan' ELSE t.type_parsed END AS type_parsed,
        coalesce(k.source_parsed, 'ovriga') AS source_parsed,
        k.source_text,
        g.age_group_parsed,
        x.sex_parsed,
        coalesce(a.is_known_area, false) AS is_known_area,
        coalesce(n.is_count_ok, s.antal IS NULL) AS is_count_ok,
        n.count_parsed,
        coalesce(a.area_blank, true) AS area_blank,
        coalesce(m.month_blank, true) AS month_blank,
        coalesce(k.source_blank, true) AS source_blank,
        coalesce(g.age_blank, true) AS age_blank,
        coalesce(x.sex_blank, true) AS sex_blank,
        coalesce(n.count_blank, true) AS count_blank,
        coalesce(t.type_blank, true) AS type_blank
    FROM src AS s
    LEFT JOIN area_lookup AS a ON a.omrade_id = s.omrade_id
    LEFT JOIN month_lookup AS m ON m.manad = s.manad
    LEFT JOIN type_lookup AS t ON t.typ = s.typ
    LEFT JOIN source_lookup AS k ON k.kalla = s.kalla
    LEFT JOIN age_lookup AS g ON g.aldersgrupp = s.aldersgrupp
    LEFT JOIN sex_lookup AS x ON x.kon = s.kon
    LEFT JOIN count_lookup AS n ON n.antal = s.antal
),
judged AS (
    SELECT
        *,
        CASE
            WHEN area_blank AND month_blank AND type_blank AND source_blank AND age_blank
                 AND sex_blank AND count_blank
                THEN {'reason': 'blank_row', 'col': NULL, 'detail': NULL}
            WHEN area_blank
                THEN missing_value(getvariable('h_omrade_id'))
            WHEN month_blank
                THEN missing_value(getvariable('h_manad'))
            WHEN source_blank
                THEN missing_value(getvariable('h_kalla'))
            WHEN age_blank
                THEN missing_value(getvariable('h_aldersgrupp'))
            WHEN sex_blank
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
            WHEN NOT is_count_ok
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
    source_text,
    age_group_parsed AS age_group,
    age_min(age_group_parsed) AS age_min,
    age_max(age_group_parsed) AS age_max,
    sex_parsed AS sex,
    CASE WHEN problem IS NULL THEN count_parsed END AS referral_count,
    problem.reason AS reason,
    problem.col AS column_name,
    problem.detail AS detail,
    CASE WHEN problem IS NOT NULL THEN {{raw_json}} END AS raw
FROM judged
