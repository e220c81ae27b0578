-- The manifest digest a night (:n) was published with, and the digest of the manifest's content
-- in its summary; no row: the night is not published (credit.night.steps.sequence_issues).
select manifest_digest, summary ->> 'manifest_content' from night_runs where night = :n
