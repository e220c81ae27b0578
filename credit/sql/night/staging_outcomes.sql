-- The outcomes staged for one night and drop, with the held-back rows actually staged for each
-- file: publish checks them against the outcomes before it reads the rows. The accepted rows are
-- counted in their source's staging table (night/staging_count.sql, credit.night.staging).
select f.file,
       f.source,
       f.sha256,
       f.outcome,
       (select count(*) from night_staging_quarantine q
         where q.night = f.night and q.digest = f.digest and q.file = f.file)       as staged_quarantined
  from night_staging_files f
 where f.night = :night and f.digest = :digest
 order by f.file
