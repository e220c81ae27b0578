-- Every draw plan as the public sees it (一公开, domain.md §8; credit/draws/public.py): the plan
-- announced before the draw and, once drawn, the SHA-256 of the public record stored at the run.
select p.draw_id, p.matters, p.scope, p.as_of, p.public_plan, r.public_record_sha256 as record_sha256
from draw_plans as p
left join draw_runs as r using (draw_id)
order by p.draw_id
