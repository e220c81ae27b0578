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
  left join lateral (
       select array_agg(c.night order by c.night) as status_nights,
              array_agg(c.status order by c.night) as statuses,
              array_agg(c.status_on order by c.night) as status_ons
         from (select h.night, h.status, h.status_on,
                      lag(h.status) over (order by h.night) as was, lag(h.status_on) over (order by h.night) as was_on
                 from registration_history as h
                where h.uscc = r.uscc and h.change <> 'dropped') as c
        where c.was is distinct from c.status or c.was_on is distinct from c.status_on) as s on true
