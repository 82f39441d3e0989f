SELECT area_id, area_name, municipality, has_area_team, area_km2, has_geometry
FROM main.area ORDER BY area_id;
