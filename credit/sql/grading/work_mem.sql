-- Sort and hash memory (:m, as PostgreSQL writes it: 256MB) for the indicator joins, to the end
-- of the transaction (credit.grading.night.graded_chunks; config/grading.yaml database.work_mem).
select set_config('work_mem', :m, true)
