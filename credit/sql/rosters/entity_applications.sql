-- The applications for removal on one entry (received by :d) with their answer in the log up to
-- seq :k. As known after night :kn (null: today's record): an application on record when that
-- night anchored the log (id up to :kq, migration 0036), or one the log as known then decided;
-- before migration 0036 (:kq null) an application received by that night. An application covers
-- the entries listed when it was received (domain.md §3.3): one received on or after the entry's
-- removal (:rm, the removal's date as of :d) is another entry's, unless the log answered it here.
select q.id, q.received_on, q.rule_id, q.due_date, q.due_provisional, q.grounds,
       x.action, x.decision_no, x.decision_date, x.reason, x.basis, x.facts ->> 'remedy' as remedy
  from roster_requests q
  left join lateral (select d.* from roster_decisions d
                      where d.request_id = q.id and d.entry_id = :e and d.decision_date <= :d
                        and d.action in ('remove', 'refuse')
                        and (cast(:k as bigint) is null or d.seq <= :k) order by d.seq limit 1) x on true
 where q.uscc = :u and q.roster = :r and q.kind = 'repair' and q.received_on <= :d
   and q.received_on >= :inc and (q.entry_id is null or q.entry_id = :e)
   and (x.seq is not null or cast(:rm as date) is null or q.received_on < :rm)
   and (cast(:kn as date) is null or x.seq is not null
        or (cast(:kq as bigint) is null and q.received_on <= :kn) or q.id <= cast(:kq as bigint))
 order by q.id
