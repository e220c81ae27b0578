-- Tonight's transitions on a first night (credit.grading.night.grade_night: no grade range before
-- tonight, every entity graded), after its ranges were loaded straight into grade_ranges: every
-- entity from '-' (no open range) to tonight's grade. transitions_full.sql gives the same rows
-- there (its full join meets no open range). Parameter: :n the night.
insert into grade_transitions (night, from_grade, to_grade, count)
select :n, '-', grade, count(*)
  from grade_ranges
 where valid_from = :n
 group by grade
