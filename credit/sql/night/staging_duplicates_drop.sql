-- The rows held back as duplicates (night/staging_duplicates.sql) out of one file's staged accepted
-- rows, by their lines: one scan of the file's rows probing a hash of the lines. The staging table is
-- not analysed; the lines' estimate is their number (a constant array) or ten (a parameter), so the
-- planner never loops over the file's rows once per line.
-- {rows}: the staging table of the file's source (night_staging_<source>, migration 0027).
delete from {rows} as r
 using unnest(cast(:lines as bigint[])) as h(line)
 where r.night = :night and r.digest = :digest and r.file = :file
   and r.line = h.line
