-- A region partition's summary row, staged last (credit.night.partitions.stage): the night, the
-- manifest's digest, the plan, the partition, its spec and its summary (JSON).
insert into night_partitions (night, digest, plan, partition, spec, summary) values (:night, :digest, :plan, :partition, cast(:spec as jsonb), cast(:summary as jsonb))
