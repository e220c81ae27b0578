-- The redraws of a draw in order, with the inspection version each amends.
select seq, kind, uscc, inspector_id, reason, amends_version, outcome
from draw_events
where draw_id = :id
order by seq
