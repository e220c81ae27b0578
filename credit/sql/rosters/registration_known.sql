-- The public registration fields of each entity :u (an array) as the store held them after night
-- :kn (contracts.md §2 --known-at): the entity's latest registration_history row up to that night
-- (index (uscc, night), migration 0021), none when that row is a drop; an entity without any
-- history row (loaded before its history was kept) by its current row if it arrived by then; whether
-- it has none is probed per code (offset 0 keeps the probe a subplan: as an anti-join over 10,000
-- codes the planner read the whole history sequentially).
-- established_on: the day the entity was established (成立日期) as that row gives it; a history row
-- without one, the night of the entity's first history row (its first registration record).
-- status_nights, statuses, status_ons: the status changes of the history rows up to :kn (as
-- rosters/entity_head), from which the status on the day asked is read; status_on and first_night
-- for an entity without history.
select r.uscc, r.name, r.entity_kind, r.region_code, r.status,
       coalesce(r.established_on, (select min(f.night) from registration_history as f where f.uscc = r.uscc))
           as established_on, r.status_on, cast(null as date) as first_night, s.status_nights, s.statuses, s.status_ons
  from (select distinct a.uscc from unnest(cast(:u as text[])) as a(uscc)) as asked
 cross join lateral (
       select h.uscc, h.name, h.entity_kind, h.region_code, h.status, h.established_on, h.status_on, h.change
         from registration_history as h
        where h.uscc = asked.uscc and h.night <= :kn
        order by h.night desc limit 1) as r
  {status_changes}
 where r.change <> 'dropped'
union all
select g.uscc, g.name, g.entity_kind, g.region_code, g.status, g.established_on, g.status_on, g.first_night,
       null, null, null
  from registration as g
 where g.uscc = any(cast(:u as text[])) and g.first_night <= :kn
   and not exists (select 1 from registration_history as h where h.uscc = g.uscc offset 0)
