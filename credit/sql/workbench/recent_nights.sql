-- The latest published nights with their stored summaries, newest first (the workbench's table).
select night, config_version, finished_at, summary from night_runs order by night desc limit :l
