-- (uscc, 文号) of entries removed by credit repair ('repair' in :k) or revoked as wrong listings
-- ('revoked' in :k) as of :d, for the USCCs :u (all when null) — domain.md §3.4, §4, §5.3.
select e.uscc, e.decision_no
from roster_entry_detail_as_of(:d) as e
where (cast(:u as text[]) is null or e.uscc = any(cast(:u as text[])))
  and ((e.removal_action = 'revoke' and 'revoked' = any(:k))
    or (e.removal_action = 'remove' and e.removal_request is not null and 'repair' = any(:k)))
