-- The scope's open ranges per tier (credit.grading.night.store_grades on a scoped night, before
-- the ranges are stored): by the open ranges' index, one probe per entity of night_scope.
select g.grade, count(*) as n
  from grade_ranges as g
 where g.valid_to is null and g.uscc in (select s.uscc from night_scope as s)
 group by g.grade
