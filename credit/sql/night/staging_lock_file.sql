-- One file's staging lock, exclusive, held to the end of the transaction: staging the file
-- (credit.night.staging.lock_file). :cls is the class of these locks (STAGING_LOCK), :k the key
-- night/digest/file, hashed.
select pg_advisory_xact_lock(:cls, hashtext(:k))
