-- One file's outcome (credit.night.records.FileRecord), staged with its rows.
insert into night_staging_files (night, digest, file, source, sha256, outcome)
values (:night, :digest, :file, :source, :sha256, cast(:outcome as jsonb))
