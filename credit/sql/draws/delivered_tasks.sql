-- Inspection tasks with results in the inspection_results source that this installation did not
-- draw (no draw_runs row), with their number of results: all of them are published as delivered.

select ir.task_id, count(*) as results
from inspection_results ir
where not exists (select 1 from draw_runs dr where dr.draw_id = ir.task_id)
group by ir.task_id
order by ir.task_id
