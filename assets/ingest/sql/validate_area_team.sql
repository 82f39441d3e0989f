-- omradesteam/: type each raw row and give the first reason it cannot be accepted (§2.5).
-- Input: TEMP VIEW src (file_ord, row_number, omrade_id, period, tema, bedomning,
-- antal_aktiviteter, observationer, publiceras) and variables h_<column>.
-- Free text is screened and cut afterwards, in Python (screening.py), before it is stored.
-- publiceras is a ja/nej flag like omraden.omradesteam and signalbrott: an empty cell, a
-- missing column or an unreadable value all mean nej, since only a reviewed observation
-- may be published (§2.5). An unreadable value does not cost the row its assessment; it is
-- counted in the load log instead (area_team.py).
WITH typed AS (
    SELECT
        s.*,
        CASE WHEN is_unplaced_area(s.omrade_id) THEN 'okant' ELSE trim(s.omrade_id) END AS area_key,
        upper(replace(replace(trim(s.period), ' ', ''), '–', '-')) AS p,
        t.theme,
        a.area_id IS NOT NULL OR is_unplaced_area(s.omrade_id) AS is_known_area
    FROM src AS s
    LEFT JOIN staging.area AS a ON a.area_id = trim(s.omrade_id)
    LEFT JOIN staging.theme AS t ON t.theme_key = fold(s.tema)
),
periods AS (
    -- Periods: a month (YYYY-MM), a quarter (YYYY-Qn) or a school term (YYYY-VT / YYYY-HT).
    -- Terms follow the pipeline's convention: VT = January–June, HT = July–December.
    SELECT
        *,
        CASE
            WHEN regexp_full_match(p, '[0-9]{4}-?(VT|HT)') THEN 'term'
            WHEN regexp_full_match(p, '(VT|HT)-?[0-9]{4}') THEN 'term'
            WHEN regexp_full_match(p, '[0-9]{4}-?Q[1-4]') THEN 'quarter'
            WHEN month_value(period) IS NOT NULL THEN 'month'
        END AS period_kind,
        TRY_CAST(regexp_extract(p, '([0-9]{4})', 1) AS INTEGER) AS period_year,
        CASE
            WHEN p LIKE '%VT%' THEN 1
            WHEN p LIKE '%HT%' THEN 7
            WHEN regexp_full_match(p, '[0-9]{4}-?Q[1-4]') THEN 3 * (TRY_CAST(right(p, 1) AS INTEGER) - 1) + 1
            ELSE month(month_value(period))
        END AS first_month
    FROM typed
),
judged AS (
    SELECT
        *,
        CASE
            WHEN is_blank(omrade_id) AND is_blank(period) AND is_blank(tema) AND is_blank(bedomning)
                 AND is_blank(antal_aktiviteter) AND is_blank(observationer)
                 AND is_blank(publiceras)
                THEN {'reason': 'blank_row', 'col': NULL, 'detail': NULL}
            WHEN is_blank(omrade_id)
                THEN missing_value(getvariable('h_omrade_id'))
            WHEN is_blank(period)
                THEN missing_value(getvariable('h_period'))
            WHEN is_blank(tema)
                THEN missing_value(getvariable('h_tema'))
            WHEN period_kind IS NULL OR period_year NOT BETWEEN 1900 AND 2100
                THEN invalid_value('invalid_period', getvariable('h_period'), period,
                               'is not YYYY-MM, YYYY-Qn, YYYY-VT or YYYY-HT')
            WHEN theme IS NULL
                THEN invalid_value('unknown_theme', getvariable('h_tema'), tema,
                               'is not in referens/teman.csv')
            WHEN NOT (is_whole_number(bedomning) AND as_number(bedomning) BETWEEN 1 AND 5)
                THEN invalid_value('invalid_assessment', getvariable('h_bedomning'), bedomning,
                               'is not an integer 1-5')
            WHEN NOT is_count_ok(antal_aktiviteter)
                THEN invalid_value('invalid_count', getvariable('h_antal_aktiviteter'), antal_aktiviteter,
                               'is not a whole number >= 0')
            WHEN NOT is_known_area
                THEN invalid_value('unknown_area', getvariable('h_omrade_id'), omrade_id,
                               'is not a known area (omraden/)')
        END AS problem
    FROM periods
)
SELECT
    file_ord,
    row_number,
    area_key AS area_id,
    CASE period_kind
        WHEN 'term' THEN period_year::VARCHAR || CASE WHEN p LIKE '%VT%' THEN '-VT' ELSE '-HT' END
        WHEN 'quarter' THEN period_year::VARCHAR || '-Q' || right(p, 1)
        WHEN 'month' THEN strftime(month_value(period), '%Y-%m')
    END AS period,
    period_kind,
    CASE WHEN problem IS NULL THEN make_date(period_year, first_month, 1) END AS period_start,
    CASE WHEN problem IS NULL THEN (make_date(period_year, first_month, 1)
        + to_months(CASE period_kind WHEN 'term' THEN 6 WHEN 'quarter' THEN 3 ELSE 1 END)
        - INTERVAL 1 DAY)::DATE END AS period_end,
    period_year AS year,
    theme,
    CASE WHEN problem IS NULL THEN as_number(bedomning)::INTEGER END AS assessment,
    CASE WHEN problem IS NULL THEN count_value(antal_aktiviteter) END AS activities,
    observationer AS observations,
    coalesce(yes_no_value(publiceras), false) AS is_published,
    NOT is_blank(publiceras) AND yes_no_value(publiceras) IS NULL AS publish_flag_unreadable,
    problem.reason AS reason,
    problem.col AS column_name,
    problem.detail AS detail,
    CASE WHEN problem IS NOT NULL THEN {{raw_json}} END AS raw
FROM judged
