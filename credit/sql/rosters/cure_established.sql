-- The day the cure of an entry's cause was established (查实): a curing finding or a registered
-- change of address (view cure_events, domain.md §3.3), after the fact and known by :on.
select min(c.cured_on) from roster_decisions d join cure_events c on c.uscc = d.uscc and c.cause_code = d.cause_code
 where d.seq = :e and c.cured_on >= coalesce(d.trigger_date, d.decision_date) and c.cured_on <= :on
