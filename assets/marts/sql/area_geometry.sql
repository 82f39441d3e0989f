-- main.area_geometry: each area's polygon (WKB, EPSG:4326) and a simplified GeoJSON for the
-- report's map, from stats_area_geometry (geometry.py). Areas delivered without geometry
-- have no row.
CREATE OR REPLACE TABLE main.area_geometry AS
SELECT area_id, geometry_wkb::BLOB AS geometry_wkb, geometry_simplified_geojson,
       centroid_lon, centroid_lat
FROM stats_area_geometry
ORDER BY area_id;
