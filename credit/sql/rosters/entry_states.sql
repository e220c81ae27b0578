-- Every entry of every roster on night :n with its state: which causes an entity is already
-- listed on (or was cured of) when a new fact on the same cause arrives. An entry revoked as wrong
-- because its finding was corrected to name another entity (rosters/finding_reassigned.sql) was
-- never cured: it covers no fact (a finding corrected back to name it, another finding on the
-- cause, domain.md §3.4). Its closing decision is found by its key, close:<entry_id> (unique).
select e.entry_id, e.uscc, e.roster, e.cause_code, e.state, e.removed_on
  from roster_entry_detail_as_of(:n) as e
 where not (e.removal_action = 'revoke' and exists (
           select 1 from roster_decisions as v
            where v.fact_key = 'close:' || e.entry_id and v.action <> 'propose'
              and v.facts ->> 'finding_reassigned' = 'true'))
