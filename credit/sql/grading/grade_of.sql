-- One entity's grade on a date (credit.grading.read.grade_of; the API's look-up): the range in
-- force on :d is the latest one opened by then (one probe of the primary key (uscc, valid_from));
-- its night is the latest graded night on or before :d inside it, the night whose row the
-- per-night table held (migration 0015). Parameters: :u the USCC, :d the date.
-- A range that ended by the latest graded night on or before :d (and no later range opened) means
-- the entity was not graded on that night — cancelled, revoked or moved out (domain.md §7, issue
-- 5): no tier on :d, rather than the last tier it had (outsider's pass bb5).
-- The night's configuration comes along: its grading.yaml (config) and rosters.yaml
-- (rosters_version, rosters_config; NULL for nights before migration 0048), which the advice reads.
select n.night, g.grade, g.score, g.config_version, g.reasons, r.config,
       r.rosters_version, r.rosters_config
  from (select * from grade_ranges where uscc = :u and valid_from <= :d
         order by valid_from desc limit 1) as g
 cross join lateral (select coalesce(max(x.night), g.valid_from) as night
                       from grading_runs as x
                      where x.night >= g.valid_from and x.night <= :d
                        and (g.valid_to is null or x.night < g.valid_to)) as n
  left join grading_runs as r on r.night = n.night
 where g.valid_to is null
    or g.valid_to > (select max(x.night) from grading_runs as x where x.night <= :d)
