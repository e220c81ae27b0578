-- The decisions made on one request, in log order (drafts and their rejection are working papers).
-- note_version: an upheld objection's revocation recorded with the officer's note as its reason
-- (before 133e4b8), the rule version whose wording it shows instead (credit.rosters.env.shown_reasons).
select seq, action, rule_id, roster, entry_id, decision_date, decision_no, reason, cause, basis, authority_name,
       case when rule_id = 'any.revoke.objection_upheld' and reason = facts ->> 'note'
            then rule_version end as note_version
from roster_decisions
where request_id = :i and action not in ('propose', 'reject')
order by seq
