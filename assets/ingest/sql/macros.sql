-- Parsing rules of data-contract.md §2, as DuckDB macros.
-- TEMP so that they never end up in a published database file, and work on read-only opens.

-- Header/value folding: case-insensitive, surrounding spaces ignored, å/ä→a, ö→o.
CREATE OR REPLACE TEMP MACRO fold(s) AS strip_accents(lower(trim(s)));

-- An empty required key: NULL, empty or only spaces.
CREATE OR REPLACE TEMP MACRO is_blank(s) AS (s IS NULL OR trim(s) = '');

-- "Not available or suppressed at source": '..', '.' or an empty cell. Stored as NULL.
CREATE OR REPLACE TEMP MACRO is_not_available(s) AS (s IS NULL OR trim(s) IN ('', '.', '..'));

-- A number as written by a person or a spreadsheet: decimal comma, spaces as thousands
-- separators (including the no-break space Excel writes in Swedish locale).
CREATE OR REPLACE TEMP MACRO as_number(s) AS
    TRY_CAST(replace(replace(replace(trim(s), ' ', ''), chr(160), ''), ',', '.') AS DOUBLE);

-- A whole number >= 0; '12,0' and '12.0' are 12, '2,5' is not.
CREATE OR REPLACE TEMP MACRO is_whole_number(s) AS coalesce(
    isfinite(as_number(s)) AND as_number(s) >= 0 AND as_number(s) = floor(as_number(s))
        AND as_number(s) < 1e15,
    false);

-- A count: NULL when not available at source, otherwise the whole number.
-- Only call it on rows that passed is_count_ok.
CREATE OR REPLACE TEMP MACRO is_count_ok(s) AS (is_not_available(s) OR is_whole_number(s));
CREATE OR REPLACE TEMP MACRO count_value(s) AS
    CASE WHEN is_not_available(s) THEN NULL ELSE as_number(s)::BIGINT END;

-- A calendar year: a whole number in a plausible range.
CREATE OR REPLACE TEMP MACRO year_value(s) AS
    CASE WHEN is_whole_number(s) AND as_number(s) BETWEEN 1900 AND 2100
         THEN as_number(s)::INTEGER END;

-- A month: YYYY-MM, YYYYMM, or YYYY-MM-01 (an Excel date cell arrives as YYYY-MM-DD).
-- Returns the first day of the month, or NULL when unparseable.
CREATE OR REPLACE TEMP MACRO month_value(s) AS (
    CASE
        WHEN length(trim(s)) = 7 AND substr(trim(s), 5, 1) = '-'
            THEN try_strptime(trim(s) || '-01', '%Y-%m-%d')
        WHEN length(trim(s)) = 6 AND regexp_full_match(trim(s), '[0-9]{6}')
            THEN try_strptime(trim(s) || '01', '%Y%m%d')
        WHEN length(trim(s)) = 10 AND substr(trim(s), 9, 2) = '01'
            THEN try_strptime(trim(s), '%Y-%m-%d')
    END::DATE
);

-- Sex as in befolkning: kvinnor/man/totalt, also K/M/T, kvinna, män, and English words.
CREATE OR REPLACE TEMP MACRO sex_value(s) AS (
    CASE fold(s)
        WHEN 'kvinnor' THEN 'kvinnor' WHEN 'kvinna' THEN 'kvinnor' WHEN 'k' THEN 'kvinnor'
        WHEN 'flickor' THEN 'kvinnor' WHEN 'flicka' THEN 'kvinnor'
        WHEN 'women' THEN 'kvinnor' WHEN 'female' THEN 'kvinnor' WHEN 'f' THEN 'kvinnor'
        WHEN 'man' THEN 'man' WHEN 'm' THEN 'man' WHEN 'pojkar' THEN 'man'
        WHEN 'pojke' THEN 'man' WHEN 'men' THEN 'man' WHEN 'male' THEN 'man'
        WHEN 'totalt' THEN 'totalt' WHEN 'total' THEN 'totalt' WHEN 't' THEN 'totalt'
        WHEN 'samtliga' THEN 'totalt' WHEN 'alla' THEN 'totalt' WHEN 'bada' THEN 'totalt'
    END
);

-- Age groups: 'A-B', 'A+' or 'totalt'. En dashes, spaces and a trailing 'år' are tolerated.
CREATE OR REPLACE TEMP MACRO age_group_text(s) AS
    regexp_replace(replace(replace(fold(s), '–', '-'), ' ', ''), '(ar)$', '');
CREATE OR REPLACE TEMP MACRO age_group_value(s) AS (
    CASE
        WHEN age_group_text(s) IN ('totalt', 'total', 'alla', 'samtliga') THEN 'totalt'
        WHEN regexp_full_match(age_group_text(s), '[0-9]{1,3}-[0-9]{1,3}')
             AND TRY_CAST(split_part(age_group_text(s), '-', 1) AS INTEGER)
                 <= TRY_CAST(split_part(age_group_text(s), '-', 2) AS INTEGER)
            THEN TRY_CAST(split_part(age_group_text(s), '-', 1) AS INTEGER)::VARCHAR || '-'
                 || TRY_CAST(split_part(age_group_text(s), '-', 2) AS INTEGER)::VARCHAR
        WHEN regexp_full_match(age_group_text(s), '[0-9]{1,3}\+')
            THEN TRY_CAST(rtrim(age_group_text(s), '+') AS INTEGER)::VARCHAR || '+'
    END
);
CREATE OR REPLACE TEMP MACRO age_min(g) AS
    CASE WHEN g = 'totalt' THEN NULL ELSE TRY_CAST(regexp_extract(g, '^([0-9]+)', 1) AS INTEGER) END;
-- An open band 'A+' has no upper bound: NULL.
CREATE OR REPLACE TEMP MACRO age_max(g) AS
    CASE WHEN g = 'totalt' OR g LIKE '%+' THEN NULL
         ELSE TRY_CAST(regexp_extract(g, '-([0-9]+)$', 1) AS INTEGER) END;

-- The reserved id for rows the data owner could not place (e.g. crimes not geocoded).
CREATE OR REPLACE TEMP MACRO is_unplaced_area(s) AS (fold(s) IN ('okant', 'okand'));

-- ja/nej flags (omradesteam, signalbrott).
CREATE OR REPLACE TEMP MACRO yes_no_value(s) AS (
    CASE
        WHEN fold(s) IN ('ja', 'j', 'yes', 'y', '1', 'true', 'sant', 'x') THEN true
        WHEN fold(s) IN ('nej', 'n', 'no', '0', 'false', 'falskt') THEN false
    END
);

-- Quote a raw value for a quarantine detail message, shortened so a message stays readable.
CREATE OR REPLACE TEMP MACRO quoted(s) AS
    CASE WHEN s IS NULL THEN 'empty'
         ELSE '''' || CASE WHEN length(s) > 40 THEN left(s, 40) || '…' ELSE s END || '''' END;

-- The first problem of a rejected row, as validate_<table>.sql returns it: the reason, the
-- column by the file's own header name, and a detail that names the column.
CREATE OR REPLACE TEMP MACRO missing_value(header) AS
    {'reason': 'missing_value', 'col': header, 'detail': 'column ''' || header || ''' is empty'};
CREATE OR REPLACE TEMP MACRO invalid_value(reason, header, value, why) AS
    {'reason': reason, 'col': header,
     'detail': 'column ''' || header || ''': ' || quoted(value) || ' ' || why};
