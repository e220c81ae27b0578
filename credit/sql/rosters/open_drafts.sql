-- Drafts waiting for an officer (config switch `drafts`): proposals neither rejected nor
-- followed by the decision they propose, soonest due first.
select p.seq, p.uscc, p.roster, p.proposed_action, p.rule_id, p.cause, p.decision_date, p.due_date
  from roster_decisions as p
 where p.action = 'propose'
   and not exists (select 1 from roster_decisions as x
                    where (x.action = 'reject' and x.refers_to = p.seq)
                       or (x.action <> 'propose' and x.fact_key = p.fact_key))
 order by p.due_date nulls last, p.seq
