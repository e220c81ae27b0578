-- The region partition's rehearsal undone: nothing of it stays in the store
-- (credit.night.partitions.rehearse).
rollback to savepoint partition_rehearsal
