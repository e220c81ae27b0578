-- The latest night that graded (grading_runs); NULL before the first (credit.grading.read.latest_graded_night:
-- `credit grading transitions` without --night).
select max(night) from grading_runs
