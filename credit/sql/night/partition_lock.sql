-- One region partition's staging lock, exclusive, held to the end of the transaction: staging the
-- partition (credit.night.partitions.lock_partition). :cls is the class of these locks
-- (PARTITION_LOCK), :k the key night/digest/plan/partition, hashed.
select pg_advisory_xact_lock(:cls, hashtext(:k))
