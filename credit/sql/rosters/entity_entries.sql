-- One entity's roster entries as they stood on :d, read through roster_decisions(uscc, seq) and
-- (entry_id): the per-entity fold (migration 0015), never the whole roster.
select e.*, d.facts, d.rule_id as inc_rule_id, d.trigger_date as inc_trigger, d.due_date as inc_due,
       d.due_provisional as inc_provisional,
       -- An upheld objection's revocation recorded before the reason became the rule's wording
       -- (133e4b8) carries the officer's note as its reason (the note is in its facts too): the
       -- rule version that words it instead (credit.rosters.env.shown_reasons; contracts.md §2,
       -- domain.md §3.4). One probe of roster_decisions(entry_id), for a revoked entry only.
       (select c.rule_version from roster_decisions as c
         where e.removal_action = 'revoke' and c.entry_id = e.entry_id and c.decision_no = e.removal_no
           and c.rule_id = 'any.revoke.objection_upheld' and c.reason = c.facts ->> 'note'
         limit 1) as removal_note_version
  from roster_entry_detail_of(array[cast(:u as text)], :d) e join roster_decisions d on d.seq = e.entry_id
 order by e.included_on, e.entry_id
