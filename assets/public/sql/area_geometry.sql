SELECT area_id, geometry_simplified_geojson, centroid_lon, centroid_lat
FROM main.area_geometry ORDER BY area_id;
