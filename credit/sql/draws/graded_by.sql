-- The latest night graded on or before :d that graded any entity (grading_runs).
select max(night) from grading_runs where night <= :d and graded > 0
