-- The current version of every inspection of a draw (highest version per entity).
select distinct on (uscc)
    uscc, version, event_seq, state, matters, strata, inspectors, scheduled_on, note
from draw_inspections
where draw_id = :id
order by uscc, version desc
