-- One chunk's candidate duplicates (CSV, no header), COPYed into the file's temporary table
-- (night/staging_candidates.sql; credit.night.staging.FileStager.candidates), columns in the
-- order the chunk's table is written in.
copy night_duplicate_candidates (line, chunk, dup_key, dup_row, organisation_mismatch) from stdin (format csv)
