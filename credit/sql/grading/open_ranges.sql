-- Open a range from night :n for every entity graded tonight that has no open range left (new,
-- or closed by close_ranges.sql: its grade changed) (credit.grading.night.store_grades).
insert into grade_ranges (uscc, valid_from, grade, score, config_version, reasons)
select t.uscc, :n, t.grade, t.score, t.config_version, t.reasons
  from grades_tonight as t
 where not exists (select from grade_ranges as g where g.uscc = t.uscc and g.valid_to is null)
