-- The earliest application of one applicant still undecided on any of an entity's open entries
-- of one roster (that applicant's second application is refused while another is pending,
-- whichever was received first: one entered again with an earlier date is the same application).
-- Applications recorded before applicants were kept count as the counter's when they came through
-- the counter, as their own applicant when they came online.
select q.id, q.received_on from roster_requests q
  join unnest(cast(:ids as bigint[]), cast(:incs as date[])) as e(entry_id, included_on)
    on e.included_on <= q.received_on and (q.entry_id is null or q.entry_id = e.entry_id)
  left join repair_applicants as a on a.request_id = q.id
  left join repair_submissions as s on s.request_id = q.id
 where q.kind = 'repair' and q.uscc = :u and q.roster = :r
   and coalesce(a.applicant, case when s.request_id is null then 'counter' else 'online:' || q.id end) = :a
   and not exists (select 1 from roster_decisions x where x.request_id = q.id and x.entry_id = e.entry_id)
 order by q.id limit 1
