-- One schema upgrade at a time, even when two nights start together: this lock (7262831) held to
-- the end of the upgrade's transaction (credit.schema.upgrade).
select pg_advisory_xact_lock(7262831)
