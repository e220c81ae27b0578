-- Every roster entry of the screened entities as it stood on :d (one query for all of them).
select e.uscc, e.entry_id, e.roster, e.cause_code, e.cause, e.basis, e.included_on, e.decision_no,
       e.authority_name, e.state, e.removed_on, e.removal_reason, e.removal_no, e.removal_action,
       e.removal_request, e.effective_until
  from roster_entry_detail_as_of(:d) as e
 where e.uscc = any(:u)
 order by e.uscc, e.included_on, e.entry_id
