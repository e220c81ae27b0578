-- Every entity's tier on a graded night (:n; grades are validity ranges, migration 0015).
select uscc, grade from grades where night = :n
