-- The public registration fields of :u as the store holds them now, with its registration status
-- changes as rosters/entity_head reads them (index (uscc, night); credit.rosters.read.status_as_of).
select r.uscc, r.name, r.entity_kind, r.region_code, r.status, r.established_on, r.status_on, r.first_night,
       s.status_nights, s.statuses, s.status_ons
  from registration as r
  left join lateral (
       select array_agg(c.night order by c.night) as status_nights,
              array_agg(c.status order by c.night) as statuses,
              array_agg(c.status_on order by c.night) as status_ons
         from (select h.night, h.status, h.status_on,
                      lag(h.status) over (order by h.night) as was, lag(h.status_on) over (order by h.night) as was_on
                 from registration_history as h
                where h.uscc = r.uscc and h.change <> 'dropped') as c
        where c.was is distinct from c.status or c.was_on is distinct from c.status_on) as s on true
 where r.uscc = :u
