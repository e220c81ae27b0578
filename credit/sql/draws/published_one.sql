-- One draw's published plan and, once drawn, its public record with the SHA-256 stored at the run
-- (credit/draws/public.py).
select p.public_plan, r.public_record, r.public_record_sha256 as record_sha256
from draw_plans as p
left join draw_runs as r using (draw_id)
where p.draw_id = :id
