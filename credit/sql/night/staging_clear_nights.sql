-- After a night is published: its staging (every drop's) and that of every earlier night, which
-- can never be published any more (nights are published in order), e.g. an abandoned run's.
with accepted as (
    delete from night_staging_rows where night <= :night
), held as (
    delete from night_staging_quarantine where night <= :night
)
delete from night_staging_files where night <= :night
