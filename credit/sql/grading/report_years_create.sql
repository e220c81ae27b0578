-- The annual-report years graded and their filing deadlines, empty, dropped at commit
-- (credit.grading.indicators.operations).
create temporary table grading_report_years (report_year int, deadline date) on commit drop
