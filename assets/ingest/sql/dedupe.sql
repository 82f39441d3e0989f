-- Duplicate keys (data-contract §2, "Duplicate keys"), for any source.
-- Placeholders: {{checked}} the source's checked-rows table, {{key}} its key columns,
-- {{key_c}} the same prefixed with c.

-- Hashes of keys seen more than once among rows that passed validation. This is the one
-- pass over the whole table, and grouping by one 64-bit hash is cheaper than by the key's
-- text columns. A hash collision only adds a candidate: the windows below partition by the
-- key itself, so a row whose key is unique is neither quarantined nor superseded.
CREATE OR REPLACE TEMP TABLE key_repeats AS
SELECT hash({{key}}) AS key_hash FROM {{checked}} WHERE reason IS NULL
GROUP BY key_hash HAVING count(*) > 1;

CREATE OR REPLACE TEMP TABLE repeated_rows AS
SELECT c.file_ord, c.row_number, {{key_c}},
       count(*) OVER (PARTITION BY c.file_ord, {{key_c}}) AS n_in_file
FROM {{checked}} AS c
SEMI JOIN key_repeats AS d ON hash({{key_c}}) = d.key_hash
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
