-- (uscc, 文号) of every entry removed by credit repair ('repair' in :k) or revoked as a wrong
-- listing ('revoked' in :k) by the decisions dated up to :d — domain.md §3.4, §4, §5.3. The public
-- read side passes the end of time (rosters.read.WHOLE_RECORD): hidden whatever the closing
-- decision's date, after the latest night or the date asked included. For given USCCs:
-- rosters/hidden_entries_of (their decisions only, through the per-entity fold of migration 0015).
select e.uscc, e.decision_no
from roster_entry_detail_as_of(:d) as e
where (e.removal_action = 'revoke' and 'revoked' = any(:k))
   or (e.removal_action = 'remove' and e.removal_request is not null and 'repair' = any(:k))
