-- Registered names and establishment dates (成立日期: before it the entity was not registered) of
-- the screened entities :u (an array, up to 10,000): one probe of
-- registration's primary key per code, through a lateral subquery the planner cannot flatten
-- (offset 0) into a join over a scan of the register, whatever it estimates (issue 11).
select r.uscc, r.name, r.established_on
  from (select distinct a.uscc from unnest(cast(:u as text[])) as a(uscc)) as asked
 cross join lateral (select g.uscc, g.name, g.established_on from registration as g where g.uscc = asked.uscc offset 0) as r
