-- Every draw plan, and whether it has been drawn.
select p.draw_id, p.matters, p.scope, p.as_of, p.config_version, r.draw_id is not null as drawn
from draw_plans as p
left join draw_runs as r using (draw_id)
order by p.draw_id
