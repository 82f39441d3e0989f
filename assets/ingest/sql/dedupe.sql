-- Duplicate keys (data-contract §2, "Duplicate keys"), for any source.
-- Placeholders: {{checked}} the source's checked-rows table, {{key}} its key columns,
-- {{key_c}} the same prefixed with c., {{key_match}} a NULL-safe join on the key.

-- Keys seen more than once among rows that passed validation. This is the one pass over the
-- whole table; everything after it works on the few rows that repeat.
CREATE OR REPLACE TEMP TABLE key_repeats AS
SELECT {{key}} FROM {{checked}} WHERE reason IS NULL GROUP BY ALL HAVING count(*) > 1;

CREATE OR REPLACE TEMP TABLE repeated_rows AS
SELECT c.file_ord, c.row_number, {{key_c}},
       count(*) OVER (PARTITION BY c.file_ord, {{key_c}}) AS n_in_file
FROM {{checked}} AS c
JOIN key_repeats AS d ON {{key_match}}
WHERE c.reason IS NULL;

-- The same key twice in one file: every such row goes to quarantine.
CREATE OR REPLACE TEMP TABLE duplicate_rows AS
SELECT file_ord, row_number, n_in_file,
       string_agg(row_number::VARCHAR, ', ' ORDER BY row_number)
           OVER (PARTITION BY file_ord, {{key}}) AS rows_with_key
FROM repeated_rows
WHERE n_in_file > 1;

-- The same key in several files: the file whose name sorts last wins; the older rows are
-- recorded as superseded, never dropped silently.
CREATE OR REPLACE TEMP TABLE superseded_rows AS
SELECT file_ord, row_number, winner_ord AS superseded_by_ord
FROM (
    SELECT *, max(file_ord) OVER (PARTITION BY {{key}}) AS winner_ord
    FROM repeated_rows
    WHERE n_in_file = 1
)
WHERE file_ord < winner_ord;
