-- The partitions of the month of :night and of the two months after it, for every table
-- partitioned by night (migration 0026); the number made. Idempotent.
select credit_night_partitions_ahead(:night)
