-- rosters/last_name for many entities :u (an array, up to 10,000: the codes a screening found no
-- registration for): the last name the store held for each (up to night :kn when given), so that an
-- entity a later full snapshot no longer delivers (contracts.md §1) is named in a screening
-- certificate as `credit status`, the entity look-up and the roster export name it (contracts.md
-- §2). One probe of registration_history(uscc, night) per code, through a lateral subquery.
select asked.uscc, n.name
  from (select distinct a.uscc from unnest(cast(:u as text[])) as a(uscc)) as asked
 cross join lateral (
       select h.name from registration_history as h
        where h.uscc = asked.uscc and (cast(:kn as date) is null or h.night <= :kn)
        order by h.night desc limit 1) as n
