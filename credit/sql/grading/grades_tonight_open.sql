-- The temporary table tonight's grades are copied into, empty, dropped at commit
-- (credit.grading.night.open_grades_tonight).
create temporary table grades_tonight (uscc text not null, grade char(1) not null, score numeric not null, config_version text not null, reasons jsonb not null) on commit drop
