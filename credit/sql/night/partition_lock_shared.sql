-- One region partition's staging lock, shared, held to the end of the transaction: publishing the
-- night from the partitions (credit.night.partitions.lock_partition). :cls is the class of these
-- locks (PARTITION_LOCK), :k the key night/digest/plan/partition, hashed.
select pg_advisory_xact_lock_shared(:cls, hashtext(:k))
