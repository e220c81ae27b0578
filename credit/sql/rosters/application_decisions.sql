-- The decisions made on one request, in log order (drafts and their rejection are working papers).
select seq, action, rule_id, roster, entry_id, decision_date, decision_no, reason, cause, basis, authority_name
from roster_decisions
where request_id = :i and action not in ('propose', 'reject')
order by seq
