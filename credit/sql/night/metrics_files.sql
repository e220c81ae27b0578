-- The latest published night's files per source, for /metrics (file_loads), with the failed
-- expectations of its quality results.
with latest as (
    select max(night) as night from night_runs
), loads as (
    select f.source, sum(f.rows_in) as rows_in, sum(f.accepted) as accepted, sum(f.quarantined) as quarantined
      from file_loads f join latest l on f.night = l.night
     group by f.source
), failed as (
    select q.source, count(*) filter (where not q.success) as failed
      from quality_results q join latest l on q.night = l.night
     group by q.source
)
select l.source, l.rows_in, l.accepted, l.quarantined, coalesce(q.failed, 0) as failed_expectations
  from loads l left join failed q using (source)
 order by l.source
