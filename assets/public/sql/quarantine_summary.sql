-- Rejected rows by source, file and reason. Only counts and row numbers: the rejected values
-- themselves stay in the access-controlled database (they could hold small counts).
SELECT q.source, q.file, q.reason, count(*) AS rows,
       string_agg(q.row_number::VARCHAR, ', ' ORDER BY q.row_number) FILTER (WHERE q.row_number IS NOT NULL)
           AS row_numbers,
       any_value(q.detail) FILTER (WHERE q.row_number IS NULL) AS file_detail,
       min(l.first_year) AS first_year, max(l.last_year) AS last_year
FROM main.quarantine AS q
LEFT JOIN main.load_log AS l USING (source, file)
GROUP BY q.source, q.file, q.reason
ORDER BY q.source, q.file, q.reason;
