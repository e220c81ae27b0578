-- The accepted rows actually staged for one file, in its source's staging table ({rows},
-- night_staging_<source>, migration 0027): publish checks them against the file's outcome.
select count(*) from {rows} where night = :night and digest = :digest and file = :file
