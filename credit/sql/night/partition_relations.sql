-- The relation indicators each staged grade was computed with (compared at publish with the
-- relations on the whole published store).
select uscc, related_serious, related_d
  from night_partition_grades
 where night = :night and digest = :digest and plan = :plan
