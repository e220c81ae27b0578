-- The savepoint a region partition's rehearsal is rolled back to (credit.night.partitions.rehearse).
savepoint partition_rehearsal
