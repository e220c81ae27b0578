-- rosters/hidden_entries for the one entity :u, read through its own decisions (the per-entity
-- fold, migration 0015). A public look-up of a past date prepares it, and PostgreSQL keeps a
-- prepared statement's generic plan only when that plan is about as cheap as a custom one: as a
-- branch of rosters/hidden_entries (the whole roster's fold beside it), or with an array of
-- entities (a generic plan guesses several), it was planned again on every look-up
-- (tests/db/rosters/test_lookup_plans.py).
select e.uscc, e.decision_no
from roster_entry_detail_of(array[cast(:u as text)], :d) as e
where (e.removal_action = 'revoke' and 'revoked' = any(:k))
   or (e.removal_action = 'remove' and e.removal_request is not null and 'repair' = any(:k))
