-- The entries an application on :d may concern: listed on roster :r of :u on the day received
-- (only entry :e when the application named one), first entry first, with what names it (cause, 文号).
select e.entry_id, e.cause_code, e.cause, e.decision_no
from roster_entry_detail_of(array[cast(:u as text)], :d) as e   -- the entity's own entries, not the roster's fold
where e.uscc = :u and e.roster = :r and e.included_on <= :d and e.state = 'listed'
  and (cast(:e as bigint) is null or e.entry_id = cast(:e as bigint))
order by e.entry_id
