-- One page of the drafts waiting for an approver (as rosters/open_drafts), soonest due first, with
-- the entity's name, the issuing authority and the application a draft answers. :pat is a LIKE
-- pattern of authority codes (the account's district and those below it), null for every district;
-- :l is one more than a page, so that the page knows whether another follows.
select p.seq, p.uscc, r.name, p.roster, p.proposed_action, p.rule_id, p.cause, p.decision_date, p.due_date,
       p.authority, p.authority_name, p.request_id
  from roster_decisions as p
  left join registration as r on r.uscc = p.uscc
 where p.action = 'propose'
   and (cast(:pat as text) is null or p.authority like cast(:pat as text))
   and not exists (select 1 from roster_decisions as x
                    where (x.action = 'reject' and x.refers_to = p.seq)
                       or (x.action <> 'propose' and x.fact_key = p.fact_key))
 order by p.due_date nulls last, p.seq
 limit :l offset :o
