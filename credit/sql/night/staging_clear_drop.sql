-- A refused night: the staging of its drop, which a run of the night ingests again anyway.
with accepted as (
    delete from night_staging_rows where night = :night and digest = :digest
), held as (
    delete from night_staging_quarantine where night = :night and digest = :digest
)
delete from night_staging_files where night = :night and digest = :digest
