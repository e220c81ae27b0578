-- The open ranges outside night_scope per tier, counted (credit.grading.night.store_grades on a
-- scoped night without a previous distribution to derive them from: reads every open range).
select g.grade, count(*) as n
  from grade_ranges as g
 where g.valid_to is null and g.uscc not in (select s.uscc from night_scope as s)
 group by g.grade
