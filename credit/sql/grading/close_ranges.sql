-- Close the open ranges whose grade, score, configuration or reasons tonight changed (or that
-- were not graded tonight), valid to :n exclusive (credit.grading.night.store_grades). On a
-- scoped night the caller appends a restriction to the scope's entities: keep the statement
-- ending in its where clause, without a semicolon.
update grade_ranges as g
   set valid_to = :n
 where g.valid_to is null
   and not exists (select from grades_tonight as t
                    where t.uscc = g.uscc and t.grade = g.grade and t.score = g.score
                      and t.config_version = g.config_version and t.reasons = g.reasons)
