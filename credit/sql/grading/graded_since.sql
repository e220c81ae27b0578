-- The last night graded on or after :n (grading_runs); NULL when none is: nights are graded in
-- order (credit.grading.night refuses to grade before a later graded night).
select max(night) from grading_runs where night >= :n
