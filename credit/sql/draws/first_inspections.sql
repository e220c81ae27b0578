-- The inspections as the run made them (version 0, before any redraw), in entity-key order:
-- the inspections of the full record.
select uscc, version, event_seq, state, matters, strata, entity_key, inspectors, scheduled_on
from draw_inspections
where draw_id = :id and version = 0 and event_seq is null
order by entity_key
