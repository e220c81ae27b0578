-- An application of the same applicant on the same penalty still unanswered (one answer per
-- application; another applicant's pending application does not block this one).
select q.id, q.received_on from roster_requests as q
  left join repair_applicants as a on a.request_id = q.id
  left join repair_submissions as s on s.request_id = q.id
 where q.kind = 'repair' and q.roster = 'penalty' and q.case_no = :c
   and coalesce(a.applicant, case when s.request_id is null then 'counter' else 'online:' || q.id end) = :a
   and not exists (select 1 from roster_decisions as d where d.request_id = q.id and d.action <> 'propose')
 order by q.id limit 1
