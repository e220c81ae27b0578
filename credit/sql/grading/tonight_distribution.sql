-- Entities per tier tonight (:n) from tonight's transitions, every entity's move, leaving out those
-- not graded tonight (to_grade '-'; credit.grading.night.tonight_distribution).
select to_grade, sum(count) from grade_transitions where night = :n and to_grade <> '-' group by to_grade
