-- Every roster entry of the screened entities :u (an array, up to 10,000) as it stood on :d: one
-- query, reading only those entities' decisions through roster_decisions(uscc, seq) (migration 0015),
-- one index probe per asked code whatever the planner estimates (migration 0025; the plan is
-- tested in tests/db/rosters/test_screening_plan.py).
select e.uscc, e.entry_id, e.roster, e.cause_code, e.cause, e.basis, e.included_on, e.decision_no,
       e.authority_name, e.state, e.removed_on, e.removal_reason, e.removal_no, e.removal_action,
       e.removal_request, e.effective_until
  from roster_entry_detail_of(cast(:u as text[]), :d) as e
 order by e.uscc, e.included_on, e.entry_id
