-- The registration status changes of one entity, joined in as s (status_nights, statuses,
-- status_ons): its history rows, drops aside, whose status or status_on differs from the row before
-- (index registration_history (uscc, night)), folded for the day asked by
-- credit.rosters.registration.status_as_of. A template (credit.rosters.registration.status_statement):
-- {uscc} is the entity's code in the statement that joins it in, {up_to} a bound on the night or nothing.
left join lateral (
       select array_agg(c.night order by c.night) as status_nights,
              array_agg(c.status order by c.night) as statuses,
              array_agg(c.status_on order by c.night) as status_ons
         from (select h.night, h.status, h.status_on,
                      lag(h.status) over (order by h.night) as was, lag(h.status_on) over (order by h.night) as was_on
                 from registration_history as h
                where h.uscc = {uscc} and h.change <> 'dropped'{up_to}) as c
        where c.was is distinct from c.status or c.was_on is distinct from c.status_on) as s on true
