-- One request (an application for removal or an objection) with how it was submitted.
select
    q.id, q.kind, q.uscc, q.roster, q.entry_id, q.received_on, q.grounds, q.rule_id, q.rule_version,
    q.due_date, q.due_provisional, q.due_note, s.documents, s.channel
from roster_requests as q
left join repair_submissions as s on s.request_id = q.id
where q.id = :i
