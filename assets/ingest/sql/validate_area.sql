-- omraden/: type each raw row and give the first reason it cannot be accepted (§2.1).
-- Input: TEMP VIEW src (file_ord, row_number, omrade_id, omrade_namn, kommun, omradesteam),
-- TEMP TABLE area_geometry (row_number, geometry_wkb, area_km2, geometry_repaired) from the
-- geo reader (empty for CSV/XLSX), and variables h_<column>.
-- Duplicate ids reject the whole file; that is decided per file in areas.py.
WITH judged AS (
    SELECT
        s.*,
        g.geometry_wkb,
        g.area_km2,
        coalesce(g.geometry_repaired, false) AS geometry_repaired,
        CASE
            WHEN is_blank(s.omrade_id) AND is_blank(s.omrade_namn) AND is_blank(s.kommun)
                 AND is_blank(s.omradesteam) AND g.geometry_wkb IS NULL
                THEN {'reason': 'blank_row', 'col': NULL, 'detail': NULL}
            WHEN is_blank(s.omrade_id)
                THEN missing_value(getvariable('h_omrade_id'))
            WHEN is_unplaced_area(s.omrade_id)
                THEN invalid_value('invalid_area_id', getvariable('h_omrade_id'), s.omrade_id,
                               'is reserved for rows the data owner could not place')
        END AS problem
    FROM src AS s
    LEFT JOIN area_geometry AS g USING (row_number)
)
SELECT
    file_ord,
    row_number,
    trim(omrade_id) AS area_id,
    -- A missing display name falls back to the id; areas.py notes it in the load log.
    coalesce(nullif(trim(omrade_namn), ''), trim(omrade_id)) AS area_name,
    nullif(trim(kommun), '') AS municipality,
    yes_no_value(omradesteam) AS has_area_team,
    is_blank(omrade_namn) AS name_missing,
    NOT is_blank(omradesteam) AND yes_no_value(omradesteam) IS NULL AS team_flag_unreadable,
    geometry_wkb,
    area_km2,
    geometry_repaired,
    problem.reason AS reason,
    problem.col AS column_name,
    problem.detail AS detail,
    CASE WHEN problem IS NOT NULL THEN {{raw_json}} END AS raw
FROM judged
