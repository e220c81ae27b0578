-- The annual-report years graded and their deadlines (credit.grading.indicators.operations;
-- formatted by Python: the rows, each a year and a date as literals, (2025, date '2026-06-30')).
insert into grading_report_years values {values}
