-- main.area: the areas the lägesbild reports on.
-- has_area_team is the delivered ja/nej flag; without one, an area with area-team reports
-- is taken to have a team (has_area_team_inferred says so).
CREATE OR REPLACE TABLE main.area AS
SELECT
    a.area_id,
    a.area_name,
    a.municipality,
    coalesce(a.has_area_team, t.area_id IS NOT NULL) AS has_area_team,
    a.has_area_team IS NULL AS has_area_team_inferred,
    a.area_km2,
    a.geometry_wkb IS NOT NULL AS has_geometry,
    a.geometry_repaired,
    f.file AS source_file
FROM staging.area AS a
LEFT JOIN (SELECT DISTINCT area_id FROM staging.area_team) AS t USING (area_id)
LEFT JOIN ingest.area_load_log AS f USING (file_ord)
ORDER BY a.area_id;
