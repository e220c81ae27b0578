-- One file's staging lock, shared, held to the end of the transaction: publishing the file
-- (credit.night.staging.lock_file; night/staging_lock_file.sql takes it exclusive to stage it).
select pg_advisory_xact_lock_shared(:cls, hashtext(:k))
