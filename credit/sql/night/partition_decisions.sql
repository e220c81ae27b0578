-- Every partition's staged roster decisions, partition by partition in their own order: publish
-- sorts them with the night's key (credit.rosters.decide.sort_night_rows), stably.
select row
  from night_partition_decisions
 where night = :night and digest = :digest and plan = :plan
 order by partition, ord
