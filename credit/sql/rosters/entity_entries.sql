-- One entity's roster entries as they stood on :d, read through roster_decisions(uscc, seq) and
-- (entry_id): the per-entity fold (migration 0015), never the whole roster.
select e.*, d.facts, d.rule_id as inc_rule_id, d.trigger_date as inc_trigger, d.due_date as inc_due,
       d.due_provisional as inc_provisional
  from roster_entry_detail_of(array[cast(:u as text)], :d) e join roster_decisions d on d.seq = e.entry_id
 order by e.included_on, e.entry_id
