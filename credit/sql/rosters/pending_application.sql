-- The earliest application still undecided on any of an entity's open entries of one roster
-- (a second application is refused while one received earlier is pending).
select q.id, q.received_on from roster_requests q
  join unnest(cast(:ids as bigint[]), cast(:incs as date[])) as e(entry_id, included_on)
    on e.included_on <= q.received_on and (q.entry_id is null or q.entry_id = e.entry_id)
 where q.kind = 'repair' and q.uscc = :u and q.roster = :r and q.received_on <= :d
   and not exists (select 1 from roster_decisions x where x.request_id = q.id and x.entry_id = e.entry_id)
 order by q.id limit 1
