-- Applications for removal left unanswered on an entry that has ended since they arrived (removed
-- on another applicant's application, expired, revoked): the bureau still answers them, as moot
-- (issue 14: one pending application per entry per applicant, so several may wait on one entry).
-- An application covers the entries of its roster listed on its receipt (as removal_candidates).
with ended as (
    select e.* from roster_entry_detail_as_of(:n) as e where e.state <> 'listed' and e.removed_on <= :n
)
select q.id as request_id, q.uscc, q.roster, q.received_on, e.entry_id, e.cause_code, e.included_on,
       e.removed_on, e.removal_no, r.region_code
  from roster_requests as q
  join ended as e
    on e.uscc = q.uscc and e.roster = q.roster and e.included_on <= q.received_on and e.removed_on > q.received_on
   and (q.entry_id is null or q.entry_id = e.entry_id)
  left join registration as r on r.uscc = q.uscc
 where q.kind = 'repair' and q.roster <> 'penalty' and q.received_on <= :n
   and not exists (select 1 from roster_decisions as d where d.request_id = q.id and d.entry_id = e.entry_id)
 order by q.id, e.entry_id
