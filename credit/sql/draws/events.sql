-- The redraws of a draw in order, with the inspection version each amends (and, for an
-- entity_closed redraw since migration 0047, the entities it skipped as held by other live draws).
select seq, kind, uscc, inspector_id, reason, amends_version, outcome, skipped
from draw_events
where draw_id = :id
order by seq
