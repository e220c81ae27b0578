-- An incremental night's grades tonight, from the partitions', kept to the night's scope
-- (credit.night.partitions.apply_grades, issue 11).
delete from grades_tonight as t where t.uscc not in (select s.uscc from night_scope as s)
