-- After a night is published: its staging (every drop's) and that of every earlier night, which
-- can never be published any more (nights are published in order), e.g. an abandoned run's.
-- The region partitions' staged results (migration 0017) go with it. The accepted rows, one table
-- per source, are deleted by night/staging_clear_rows.sql in the same transaction.
with held as (
    delete from night_staging_quarantine where night <= :night
), part_decisions as (
    delete from night_partition_decisions where night <= :night
), part_grades as (
    delete from night_partition_grades where night <= :night
), parts as (
    delete from night_partitions where night <= :night
)
delete from night_staging_files where night <= :night
