-- main.crime_month: monthly crime counts per area and category (monthly deliveries only).
-- 'okant' rows (place unknown) are kept, so the table sums to the municipality's total.
-- A view in the working database: it is staging.crime with two lookups, and publishing
-- writes it once, as a table, into lagesbild.duckdb. Materialising it here as well would
-- write its ~30 million rows (national scale) twice.
CREATE OR REPLACE VIEW main.crime_month AS
SELECT
    c.area_id,
    c.month,
    c.year,
    c.crime_category,
    c.theme,
    k.is_signal_crime,
    c.crime_count,
    f.file AS source_file
FROM staging.crime AS c
JOIN staging.crime_category AS k USING (crime_category)
JOIN ingest.crime_load_log AS f ON f.file_ord = c.file_ord
WHERE c.month IS NOT NULL;
-- No ORDER BY: at national scale sorting ~30 million rows costs more than the rest of the
-- model; rows come in delivery order (by file, then as the data owner wrote them).
