-- Every partition's staged roster decisions, partition by partition in their own order: publish
-- reads them a chunk at a time and appends them in the night's order (credit.rosters.log.NIGHT_ORDER).
select row
  from night_partition_decisions
 where night = :night and digest = :digest and plan = :plan
 order by partition, ord
