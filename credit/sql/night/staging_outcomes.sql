-- The outcomes staged for one night and drop, with the rows actually staged for each file:
-- publish checks them against the outcomes before it reads the rows.
select f.file,
       f.sha256,
       f.outcome,
       (select count(*) from night_staging_rows r
         where r.night = f.night and r.digest = f.digest and r.file = f.file)       as staged_accepted,
       (select count(*) from night_staging_quarantine q
         where q.night = f.night and q.digest = f.digest and q.file = f.file)       as staged_quarantined
  from night_staging_files f
 where f.night = :night and f.digest = :digest
 order by f.file
