-- The entities publish grades again (credit.night.partitions.apply_grades, issue 12), found in the
-- database so that only their USCCs reach the client (issue 11): those whose relation indicators
-- on the whole published store (grading_population with grading_relations, the rows of
-- grading/relations.sql by rn: an entity without a row has no relation) differ from the ones its
-- partition graded it with, and those graded on one side only (graded tonight but not staged, or
-- staged but not graded tonight). :scoped: an incremental night's, whose staged grades count only
-- inside the night's scope (night_scope). domain.md §3.6, §7 (relations).
with now as (
    select p.uscc,
           coalesce(r.related_serious, 0) as related_serious,
           coalesce(r.related_d, 0)       as related_d
      from grading_population as p
      left join grading_relations as r using (rn)
), staged as (
    select g.uscc, g.related_serious, g.related_d
      from night_partition_grades as g
     where g.night = :night and g.digest = :digest and g.plan = :plan
       and (not :scoped or g.uscc in (select s.uscc from night_scope as s))
)
select coalesce(n.uscc, s.uscc) as uscc
  from now as n
  full join staged as s on s.uscc = n.uscc
 where n.uscc is null or s.uscc is null
    or n.related_serious <> s.related_serious
    or n.related_d <> s.related_d
 order by 1
