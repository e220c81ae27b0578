-- Every drawn task (抽查任务), in draw-id order (credit.draws.read.tasks_with_published_results).
select draw_id from draw_runs order by draw_id
