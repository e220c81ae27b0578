-- The scope's open ranges per tier (credit.grading.night.store_grades on a scoped night, before
-- the ranges are stored): by the open ranges' index, one probe per entity of night_scope.
--
-- A lateral probe, not `g.uscc in (select … night_scope)`: with that semi-join the planner
-- (which knows night_scope's 7,824 rows at 1 M, analyzed) costed 7,824 probes of
-- ix_grade_ranges_current (random_page_cost) above one sequential read of the open ranges and
-- hashed all 899,000 of them (0.42–0.68 s). The `limit 1` keeps the subquery from being pulled up
-- into that same join, and changes nothing: the index is unique on uscc among the open ranges.
-- Measured on the 1 M base after night 1 (night 2's scope, EXPLAIN ANALYZE): 72 ms, 7,824 probes.
select g.grade, count(*) as n
  from night_scope as s
  cross join lateral (select r.grade from grade_ranges as r
                       where r.uscc = s.uscc and r.valid_to is null
                       limit 1) as g
 group by g.grade
