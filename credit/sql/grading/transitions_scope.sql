-- Tonight's transitions on a scoped night (credit.night.scope, issue 11), before the ranges are
-- stored: the scope's entities from their open range to tonight's grade (grades_tonight), and
-- every entity outside the scope from its open range to the same grade (its grade holds) — the
-- same counts as a full night's `grades_tonight full join open ranges`. The entities outside the
-- scope per tier come as :outside (jsonb, tier → entities: the previous graded night's
-- distribution, which the open ranges are, less the scope's open ranges; credit.grading.night
-- .store_grades), so that no statement reads every open range. Parameters: :n the night, :outside.
insert into grade_transitions (night, from_grade, to_grade, count)
select :n, from_grade, to_grade, sum(n)
  from (
        select coalesce(p.grade, '-') as from_grade, coalesce(c.grade, '-') as to_grade, count(*) as n
          from grades_tonight as c
          full join (select g.uscc, g.grade from grade_ranges as g
                      where g.valid_to is null and g.uscc in (select s.uscc from night_scope as s)) as p
            using (uscc)
         group by 1, 2
        union all
        select o.key, o.key, o.value::bigint
          from jsonb_each_text(cast(:outside as jsonb)) as o
         where o.value::bigint > 0
       ) as t
 group by from_grade, to_grade
