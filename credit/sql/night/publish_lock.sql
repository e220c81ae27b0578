-- The publishing lock, held to the end of the night's transaction: one night is published at a
-- time, whatever starts them (credit.night.steps.PUBLISH_LOCK, rendered as a literal).
select pg_advisory_xact_lock(:lock)
