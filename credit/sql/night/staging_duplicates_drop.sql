-- The rows held back as duplicates (night/staging_duplicates.sql), or at publish as stale updates
-- (night/staging_stale.sql), out of one file's staged accepted
-- rows, by their lines: one scan of the file's rows, each line looked up in the constant array of
-- the held lines, which PostgreSQL (14 and later) hashes once for `= any` when the array is a
-- constant of nine or more: the plan must be a custom one (the caller sets plan_cache_mode), so
-- that :lines is that constant. The staging table has no index and is not analysed (migration
-- 0042): the key's condition is estimated at one row, and as a join to the unnested lines this
-- statement was planned as a nested loop that went over every line for every staged row (a 1 M
-- first night's registration file: minutes; now 0.44 s for 5,781 lines over 1,000,000 rows).
-- {rows}: the staging table of the file's source (night_staging_<source>, migration 0027).
delete from {rows} as r
 where r.night = :night and r.digest = :digest and r.file = :file
   and r.line = any(cast(:lines as bigint[]))
