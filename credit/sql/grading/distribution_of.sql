-- The distribution of grades (entities per tier, JSON) a graded night (:p) recorded.
select distribution from grading_runs where night = :p
