-- One page of the applications for removal and objections with no decision yet (drafts and their
-- rejection are not decisions), oldest first; the authority that decides each (that of the decision
-- objected to, of the entry's listing, else the entity's registration area: request_authorities)
-- and an open draft on it.
-- :pat is a LIKE pattern of authority codes, null for every district; :l is one more than a page.
select s.id, s.kind, s.authority, s.draft_seq
  from (select q.id, q.kind, q.received_on, a.authority,
               (select p.seq from roster_decisions as p
                 where p.request_id = q.id and p.action = 'propose'
                   and not exists (select 1 from roster_decisions as x
                                    where (x.action = 'reject' and x.refers_to = p.seq)
                                       or (x.action <> 'propose' and x.fact_key = p.fact_key))
                 order by p.seq limit 1) as draft_seq
          from roster_requests as q
          join request_authorities as a on a.request_id = q.id
         where not exists (select 1 from roster_decisions as d
                            where d.request_id = q.id and d.action not in ('propose', 'reject'))) as s
 where cast(:pat as text) is null or s.authority like cast(:pat as text)
 order by s.received_on, s.id
 limit :l offset :o
