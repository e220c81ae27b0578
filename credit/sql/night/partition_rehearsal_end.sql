-- The rehearsal's savepoint released once rolled back to (credit.night.partitions.rehearse).
release savepoint partition_rehearsal
