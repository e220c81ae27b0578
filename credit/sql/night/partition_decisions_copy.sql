-- A region partition's finalised decisions, numbered, copied into its staging as psycopg's rows
-- (credit.night.partitions.PartitionStaging.add_decisions).
copy night_partition_decisions (night, digest, plan, partition, ord, row) from stdin
