-- What the data cover: years, the last month with monthly data, and which sources came.
SELECT
    (SELECT min(year) FROM main.municipality_year) AS first_year,
    (SELECT max(year) FROM main.municipality_year) AS last_year,
    (SELECT max(year) FROM main.municipality_year WHERE is_complete_year) AS last_complete_year,
    (SELECT max(month) FROM main.crime_month)::DATE AS last_month,
    (SELECT string_agg(DISTINCT source, ', ' ORDER BY source) FROM main.load_log
      WHERE status IN ('loaded', 'default') AND rows_accepted > 0)::VARCHAR AS sources_delivered,
    (SELECT string_agg(DISTINCT source, ', ' ORDER BY source) FROM main.load_log
      WHERE status = 'not_delivered')::VARCHAR AS sources_not_delivered,
    (SELECT count(*) FROM main.area) AS areas,
    (SELECT count(*) FROM main.area WHERE has_geometry) AS areas_with_geometry,
    (SELECT run_id FROM main.run_info) AS run_id,
    (SELECT code_version FROM main.run_info) AS code_version;
