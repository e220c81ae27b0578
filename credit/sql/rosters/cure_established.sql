-- The day the cure of an entry's cause was established (查实): a curing finding or a registered
-- change of address (view cure_events, domain.md §3.3), after the fact and known by :on.
-- :kn (a night, or null): as the record stood after that night (contracts.md §2 --known-at) — a
-- cure the store learnt on a later night (cure_events.recorded_night, migration 0035) is not shown.
-- The view is read for the entry's entity only: the lateral aggregate keeps the entity's USCC a
-- parameter of the view, pushed below its window (partitioned by uscc) to the indexes on uscc
-- (findings, registration_history: migration 0021), not a join over every entity's history.
select c.cured_on
  from roster_decisions as d
 cross join lateral (
       select min(e.cured_on) as cured_on from cure_events as e
        where e.uscc = d.uscc and e.cause_code = d.cause_code
          and e.cured_on >= coalesce(d.trigger_date, d.decision_date) and e.cured_on <= :on
          and (cast(:kn as date) is null or e.recorded_night <= :kn)) as c
 where d.seq = :e
