-- An advisory lock on one key (:k, a bigint), exclusive, held to the end of the transaction: the
-- roster log's writers (credit.rosters.decide.LOCK_KEY), the draws' run lock (credit.draws.store).
select pg_advisory_xact_lock(:k)
