-- Every roster entry of the screened entities :u (an array, up to 10,000) as it stood on :d: one
-- query, reading only those entities' decisions through roster_decisions(uscc, seq) (migration 0015),
-- one index probe per asked code whatever the planner estimates (migration 0025; the plan is
-- tested in tests/db/rosters/test_screening_plan.py).
select e.uscc, e.entry_id, e.roster, e.cause_code, e.cause, e.basis, e.included_on, e.decision_no,
       e.authority_name, e.state, e.removed_on, e.removal_reason, e.removal_no, e.removal_action,
       e.removal_request, e.effective_until,
       -- An upheld objection's revocation recorded before the reason became the rule's wording
       -- (133e4b8) carries the officer's note as its reason (the note is in its facts too): the
       -- rule version that words it instead (credit.rosters.env.shown_reasons; contracts.md §2,
       -- domain.md §3.4). One probe of roster_decisions(entry_id), for a revoked entry only.
       (select c.rule_version from roster_decisions as c
         where e.removal_action = 'revoke' and c.entry_id = e.entry_id and c.decision_no = e.removal_no
           and c.rule_id = 'any.revoke.objection_upheld' and c.reason = c.facts ->> 'note'
         limit 1) as removal_note_version
  from roster_entry_detail_of(cast(:u as text[]), :d) as e
 order by e.uscc, e.included_on, e.entry_id
