select e.*, d.facts, d.rule_id as inc_rule_id, d.trigger_date as inc_trigger, d.due_date as inc_due,
       d.due_provisional as inc_provisional
  from roster_entry_detail_as_of(:d) e join roster_decisions d on d.seq = e.entry_id
 where e.uscc = :u order by e.included_on, e.entry_id
