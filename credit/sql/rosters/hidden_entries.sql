-- (uscc, 文号) of entries removed by credit repair ('repair' in :k) or revoked as wrong listings
-- ('revoked' in :k) as of :d, for the USCCs :u (all when null) — domain.md §3.4, §4, §5.3.
-- Given USCCs, only their decisions are read (the per-entity fold, migration 0015); the branch not
-- taken is cut by its one-time filter.
select e.uscc, e.decision_no
from roster_entry_detail_as_of(:d) as e
where cast(:u as text[]) is null
  and ((e.removal_action = 'revoke' and 'revoked' = any(:k))
    or (e.removal_action = 'remove' and e.removal_request is not null and 'repair' = any(:k)))
union all
select e.uscc, e.decision_no
from roster_entry_detail_of(cast(:u as text[]), :d) as e
where cast(:u as text[]) is not null
  and ((e.removal_action = 'revoke' and 'revoked' = any(:k))
    or (e.removal_action = 'remove' and e.removal_request is not null and 'repair' = any(:k)))
