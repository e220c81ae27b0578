-- The night's record, written last in its transaction (credit.night.steps): the night, the
-- manifest's digest, the configuration version, when the run started and ended, its summary.
insert into night_runs values (:night, :digest, :cfg, :started, now(), cast(:summary as jsonb))
