-- The temporary table tonight's grades are copied into, empty, dropped at commit
-- (credit.grading.night.open_grades_tonight). Its reasons get no planner statistics (target 0,
-- as grade_ranges' since migration 0039): no plan reads them — close_ranges.sql's equality of
-- reasons keeps its plan and estimate without them — and ANALYZE spent most of its time sorting
-- and comparing a sample of 30,000 jsonb arrays (200 k entities, first night: 0.25 s of the
-- server's CPU against 0.06 s; docs/benchmarks.md, stop 42).
create temporary table grades_tonight (uscc text not null, grade char(1) not null, score numeric not null, config_version text not null, reasons jsonb not null) on commit drop;
alter table grades_tonight alter column reasons set statistics 0
