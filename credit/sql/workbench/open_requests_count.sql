-- How many applications and objections wait for a decision (the filter of open_requests_page),
-- counted up to :cap rows only (beyond it the page says "至少 :cap 项").
select count(*)
  from (select 1
          from roster_requests as q
          left join roster_decisions as t on t.seq = q.target_seq
          left join lateral (select d.authority from roster_decisions as d
                              where d.entry_id = q.entry_id and d.action in ('include', 'escalate')
                              order by d.seq limit 1) as inc on true
          left join registration as g on g.uscc = q.uscc
         where not exists (select 1 from roster_decisions as d
                            where d.request_id = q.id and d.action not in ('propose', 'reject'))
           and (cast(:pat as text) is null
                or coalesce(t.authority, inc.authority, g.region_code) like cast(:pat as text))
         limit :cap) as capped
