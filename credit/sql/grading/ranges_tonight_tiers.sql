-- Entities per tier among the ranges opened tonight, on a first night whose grades were loaded
-- straight into grade_ranges (credit.grading.night.record_grades; grades_tonight_tiers.sql is the
-- staged grades' form). Parameter: :n the night.
select grade, count(*) from grade_ranges where valid_from = :n group by grade
