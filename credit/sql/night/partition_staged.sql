-- The partitions staged for one night, drop and plan, with their summaries.
select partition, spec, summary
  from night_partitions
 where night = :night and digest = :digest and plan = :plan
 order by partition
