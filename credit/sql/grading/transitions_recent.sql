-- The tier moves (grade_transitions; '-' is "not graded" on that side) of the same :k latest graded
-- nights up to night :n as grading/run_history.sql: the up/down chart and, for :n itself, the move
-- matrix of the night's page (credit.grading.report.collect).
select night, from_grade, to_grade, count
  from grade_transitions
 where night in (select night from grading_runs where night <= :n order by night desc limit :k)
