-- The applications for removal on one entry (received by :d) with their answer in the log up to
-- seq :k. As known after night :kn (null: today's record): an application received after that
-- night cannot have been on record then (roster_requests keeps no record time of its own).
select q.id, q.received_on, q.rule_id, q.due_date, q.due_provisional, q.grounds,
       x.action, x.decision_no, x.decision_date, x.reason, x.basis, x.facts ->> 'remedy' as remedy
  from roster_requests q
  left join lateral (select d.* from roster_decisions d
                      where d.request_id = q.id and d.entry_id = :e and d.decision_date <= :d
                        and d.action in ('remove', 'refuse')
                        and (cast(:k as bigint) is null or d.seq <= :k) order by d.seq limit 1) x on true
 where q.uscc = :u and q.roster = :r and q.kind = 'repair' and q.received_on <= :d
   and q.received_on >= :inc and (q.entry_id is null or q.entry_id = :e)
   and (cast(:kn as date) is null or q.received_on <= :kn)
 order by q.id
