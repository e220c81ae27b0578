-- Relations (关联): other entities behind the same legal representative (registration.legal_rep_hash)
-- that are on the serious list tonight, or were tier D on the previous graded night (the previous
-- night, not tonight, so the night stays a single pass): grading_flagged, night_facts.sql.
-- domain.md §3.6, §7.
select
    p.rn,
    count(*) filter (where f.is_serious) as related_serious,
    count(*) filter (where f.is_d)       as related_d
from grading_population as p
join grading_flagged as f
  on f.legal_rep_hash = p.legal_rep_hash and f.uscc <> p.uscc
group by p.rn
