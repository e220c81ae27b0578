-- The tier moves of night :n: (from tier, to tier, entities), '-' being "not graded" on that side
-- (credit.grading.read.transitions: `credit grading transitions`).
select from_grade, to_grade, count
  from grade_transitions
 where night = :n
 order by from_grade, to_grade
