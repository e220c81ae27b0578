-- Every draw plan, whether it has been drawn, and the first day of its inspection window (a plan
-- whose window has begun is no longer drawn: credit/draws/store.py check_window_open).
select p.draw_id, p.matters, p.scope, p.as_of, p.config_version, r.draw_id is not null as drawn,
       p.rules -> 'schedule_days' ->> 0 as window_start
from draw_plans as p
left join draw_runs as r using (draw_id)
order by p.draw_id
