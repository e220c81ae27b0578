-- The authority that decides a request: that of the decision objected to, of the entry's
-- listing, else the entity's registration area.
select coalesce(t.authority, inc.authority, g.region_code)
  from roster_requests as q
  left join roster_decisions as t on t.seq = q.target_seq
  left join lateral (select d.authority from roster_decisions as d
                      where d.entry_id = q.entry_id and d.action in ('include', 'escalate')
                      order by d.seq limit 1) as inc on true
  left join registration as g on g.uscc = q.uscc
 where q.id = :i
