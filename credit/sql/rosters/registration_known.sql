-- The public registration fields of each entity :u (an array) as the store held them after night
-- :kn (contracts.md §2 --known-at): the entity's latest registration_history row up to that night
-- (index (uscc, night), migration 0021), none when that row is a drop; an entity without any
-- history row (loaded before its history was kept) by its current row if it arrived by then.
-- established_on: the day the entity was established (成立日期) as that row gives it; a history row
-- without one, the night of the entity's first history row (its first registration record).
select r.uscc, r.name, r.entity_kind, r.region_code, r.status,
       coalesce(r.established_on, (select min(f.night) from registration_history as f where f.uscc = r.uscc))
           as established_on
  from (select distinct a.uscc from unnest(cast(:u as text[])) as a(uscc)) as asked
 cross join lateral (
       select h.uscc, h.name, h.entity_kind, h.region_code, h.status, h.established_on, h.change
         from registration_history as h
        where h.uscc = asked.uscc and h.night <= :kn
        order by h.night desc limit 1) as r
 where r.change <> 'dropped'
union all
select g.uscc, g.name, g.entity_kind, g.region_code, g.status, g.established_on
  from registration as g
 where g.uscc = any(cast(:u as text[])) and g.first_night <= :kn
   and not exists (select 1 from registration_history as h where h.uscc = g.uscc)
