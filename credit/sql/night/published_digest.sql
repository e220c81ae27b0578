-- The manifest digest a night (:n) was published with; no row: the night is not published
-- (credit.night.steps.run_partition).
select manifest_digest from night_runs where night = :n
