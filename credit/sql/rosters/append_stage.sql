-- The stage of credit.rosters.log.DecisionStage appended to the log as a set (migration 0028):
-- seq, entry ids, 文号, late and the hash chain assigned by roster_decisions_append under the
-- log's lock, in the order :order_by (credit.rosters.log.NIGHT_ORDER, or arrival: ord); the
-- rows are those the per-row trigger gives. Returns how many rows were appended.
select roster_decisions_append(:order_by)
