-- An application on the same penalty still unanswered (one answer per application).
select q.id, q.received_on from roster_requests as q
 where q.kind = 'repair' and q.roster = 'penalty' and q.case_no = :c
   and not exists (select 1 from roster_decisions as d where d.request_id = q.id and d.action <> 'propose')
 order by q.id limit 1
