-- Tonight's transitions on a scoped night (credit.night.scope, issue 11), before the ranges are
-- stored: the scope's entities from their open range to tonight's grade (grades_tonight), and
-- every entity outside the scope from its open range to the same grade (its grade holds) — the
-- same counts as a full night's `grades_tonight full join open ranges`. The entities outside the
-- scope per tier come as :outside (jsonb, tier → entities: the previous graded night's
-- distribution, which the open ranges are, less the scope's open ranges; credit.grading.night
-- .store_grades), so that no statement reads every open range. Parameters: :n the night, :outside.
-- The scope's open ranges are found as in transitions_scope_open.sql (a lateral probe of
-- ix_grade_ranges_current per entity of night_scope; `limit 1` keeps it from being pulled up into
-- a hash join over every open range, and drops nothing: one open range per entity at most). At
-- 1 M, night 2 (7,824 entities; EXPLAIN ANALYZE): a hash join over the 899,000 open ranges took
-- 0.45–0.74 s before.
insert into grade_transitions (night, from_grade, to_grade, count)
select :n, from_grade, to_grade, sum(n)
  from (
        select coalesce(p.grade, '-') as from_grade, coalesce(c.grade, '-') as to_grade, count(*) as n
          from grades_tonight as c
          full join (select s.uscc, g.grade
                       from night_scope as s
                       cross join lateral (select r.grade from grade_ranges as r
                                            where r.uscc = s.uscc and r.valid_to is null
                                            limit 1) as g) as p
            using (uscc)
         group by 1, 2
        union all
        select o.key, o.key, o.value::bigint
          from jsonb_each_text(cast(:outside as jsonb)) as o
         where o.value::bigint > 0
       ) as t
 group by from_grade, to_grade
