-- What was delivered and what became of it, per file: counts of rows, not of people.
SELECT source, file, status, file_format, encoding, delivery, rows_read, rows_accepted,
       rows_quarantined, rows_superseded, rows_suppressed_at_source, rows_screened,
       rows_text_truncated, first_year, last_year, notes
FROM main.load_log
ORDER BY source, file_ord NULLS FIRST;
