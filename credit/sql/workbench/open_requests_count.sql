-- How many applications and objections wait for a decision (the filter of open_requests_page),
-- counted up to :cap rows only (beyond it the page says "至少 :cap 项").
select count(*)
  from (select 1
          from roster_requests as q
          join request_authorities as a on a.request_id = q.id
         where not exists (select 1 from roster_decisions as d
                            where d.request_id = q.id and d.action not in ('propose', 'reject'))
           and (cast(:pat as text) is null or a.authority like cast(:pat as text))
         limit :cap) as capped
