-- How many drafts wait for an approver (the filter of open_drafts_page), counted up to :cap rows
-- only: beyond it the page says "至少 :cap 项", so that the count never costs more than a few pages.
select count(*)
  from (select 1
          from roster_decisions as p
         where p.action = 'propose'
           and (cast(:pat as text) is null or p.authority like cast(:pat as text))
           and not exists (select 1 from roster_decisions as x
                            where (x.action = 'reject' and x.refers_to = p.seq)
                               or (x.action <> 'propose' and x.fact_key = p.fact_key))
         limit :cap) as capped
