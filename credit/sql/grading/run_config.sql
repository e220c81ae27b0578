-- The grading.yaml night :n graded with (credit.grading.report.write_night_report: the page's tier
-- labels and options); NULL for a night graded before grading_runs kept it (the caller then reads
-- its own grading.yaml, as credit.grading.read.grade_of does), no row for a night that did not grade.
select config from grading_runs where night = :n
