-- The latest published nights with quality results: files checked, expectations run, and failed.
select q.night,
       count(distinct q.file)                 as files,
       count(*)                               as expectations,
       count(*) filter (where not q.success)  as failed
  from quality_results q
 group by q.night
 order by q.night desc
 limit :limit
