-- One file's staging (credit.night.staging): removed before the file is staged again, so a re-run
-- of ingest replaces what an earlier (crashed or repeated) run left. {rows}: the staging table of
-- the file's source (night_staging_<source>, migration 0027).
with accepted as (
    delete from {rows}
     where night = :night and digest = :digest and file = :file
), held as (
    delete from night_staging_quarantine
     where night = :night and digest = :digest and file = :file
)
delete from night_staging_files
 where night = :night and digest = :digest and file = :file
