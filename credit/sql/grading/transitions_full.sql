-- Tonight's transitions on a full night (credit.grading.night.store_grades), before the ranges
-- are stored: every entity from its open range to tonight's grade, '-' where either is missing
-- (a new entity, one no longer graded). transitions_scope.sql is the scoped night's form.
-- Parameter: :n the night.
insert into grade_transitions (night, from_grade, to_grade, count)
select :n, coalesce(p.grade, '-'), coalesce(c.grade, '-'), count(*)
  from grades_tonight as c
  full join (select uscc, grade from grade_ranges where valid_to is null) as p using (uscc)
 group by 2, 3
