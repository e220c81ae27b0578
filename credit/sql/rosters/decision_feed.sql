-- The change feed (domain.md §10): roster decisions after a cursor, in log order. Drafts, their
-- rejection and the serious-list procedure before the listing (proposal, notice, assessment,
-- consent, refusal to list, revocation of a proposal) and its publication record are internal
-- working papers or change no roster state, and are not in the feed.
select
    seq, uscc, roster, action, entry_id, refers_to, cause_code, cause, basis, decision_date, decision_no,
    authority as authority_code, authority_name as authority, effective_until, reason, row_hash, rule_id,
    -- the penalty case the decision rests on: roster 'penalty' (repair of penalty information), the
    -- case whose publicity stops or not; roster 'serious' (domain.md §4: a listing follows a heavier
    -- penalty, 44号令 art. 2, or a penalty under 企业信息公示暂行条例 art. 18 para. 2), the listing's
    -- case, which a removal or revocation takes from the listing it closes (entry_id). A listing
    -- with no penalty behind it (the historical 3-year escalation, §3.5) has none.
    case when d.roster = 'penalty' then d.facts ->> 'case_no'
         when d.roster = 'serious' then coalesce(d.facts ->> 'case_no',
              (select i.facts ->> 'case_no' from roster_decisions as i where i.seq = d.entry_id))
    end as case_no
from roster_decisions as d
where seq > :a and action not in ('propose', 'reject', 'notice', 'proposal', 'assess', 'consent', 'decline', 'publish')
  and not (action = 'revoke' and entry_id is null)
order by seq
limit :n
