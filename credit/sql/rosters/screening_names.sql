-- Registered names and establishment dates (成立日期: before it the entity was not registered) of
-- the screened entities :u (an array, up to 10,000): one probe of
-- registration's primary key per code, through a lateral subquery the planner cannot flatten
-- (offset 0) into a join over a scan of the register, whatever it estimates (issue 11). With each its
-- registration status changes (as rosters/entity_head: one probe of registration_history(uscc, night)
-- per code), from which the status on the day asked is read (credit.rosters.read.status_as_of).
select r.uscc, r.name, r.established_on, r.status, r.status_on, r.first_night,
       s.status_nights, s.statuses, s.status_ons
  from (select distinct a.uscc from unnest(cast(:u as text[])) as a(uscc)) as asked
 cross join lateral (select g.uscc, g.name, g.established_on, g.status, g.status_on, g.first_night from registration as g where g.uscc = asked.uscc offset 0) as r
  {status_changes}
