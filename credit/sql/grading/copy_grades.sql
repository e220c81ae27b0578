-- Graded rows as CSV into a table with its columns (credit.grading.night.copy_grades; the target,
-- "table (columns)", formatted in by Python: grades_tonight, or a partition's staged grades).
copy {target} from stdin with (format csv)
