-- One file's Great Expectations results (credit.night.quality_results.ExpectationRecord list),
-- staged with its outcome; moved into quality_results when the night is published.
update night_staging_files
   set expectations = cast(:expectations as jsonb)
 where night = :night and digest = :digest and file = :file
