-- The change feed (domain.md §10): roster decisions after a cursor, in log order. Drafts, their
-- rejection and the serious-list procedure before the listing (proposal, notice, assessment,
-- consent, refusal to list, revocation of a proposal) and its publication record are internal
-- working papers or change no roster state, and are not in the feed.
select
    seq, uscc, roster, action, entry_id, refers_to, cause_code, cause, basis, decision_date, decision_no,
    authority as authority_code, authority_name as authority, effective_until, reason, row_hash, rule_id,
    -- roster 'penalty' (repair of penalty information): the case whose publicity stops or not
    case when roster = 'penalty' then facts ->> 'case_no' end as case_no
from roster_decisions
where seq > :a and action not in ('propose', 'reject', 'notice', 'proposal', 'assess', 'consent', 'decline', 'publish')
  and not (action = 'revoke' and entry_id is null)
order by seq
limit :n
