-- The last night graded before :n (grading_runs); NULL before the first.
select max(night) from grading_runs where night < :n
