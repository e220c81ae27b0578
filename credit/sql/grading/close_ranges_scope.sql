-- A clause, not a statement (credit.sqlfiles.fragment), added to grading/close_ranges.sql on a
-- scoped night: only the open ranges g of the night's scope are closed, found by index probes of
-- the scope's USCCs as an array (credit.grading.night.store_grades, issue 11).
and g.uscc = any(array(select s.uscc from night_scope as s))
