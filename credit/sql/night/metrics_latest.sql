-- The nights for /metrics: how many are published, and the latest one's record.
select (select count(*) from night_runs)  as published,
       r.night,
       r.finished_at,
       r.summary -> 'stages'                                   as stages,
       r.summary -> 'rosters' -> 'decisions'                   as decisions,
       r.summary -> 'grading' -> 'distribution'                as tiers
  from (select 1) one
  left join lateral (select * from night_runs order by night desc limit 1) r on true
