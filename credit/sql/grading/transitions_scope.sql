-- Tonight's transitions on a scoped night (credit.night.scope, issue 11), before the ranges are
-- stored: the scope's entities from their open range to tonight's grade (grades_tonight), and
-- every entity outside the scope from its open range to the same grade (its grade holds) — the
-- same counts as a full night's `grades_tonight full join open ranges`. Parameter: :n the night.
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
        select g.grade, g.grade, count(*)
          from grade_ranges as g
         where g.valid_to is null and g.uscc not in (select s.uscc from night_scope as s)
         group by 1, 2
       ) as t
 group by from_grade, to_grade
