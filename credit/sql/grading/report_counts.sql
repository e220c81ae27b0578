-- The night's grades counted per region and per industry section (GB/T 4754 门类, the first
-- letter of the industry code), read from what the night committed: the report's crosstabs.
-- Parameters: :night. For a night graded before migration 0030; later nights store their counts
-- (grade_counts, credit.grading.counts: the same figures), which the report reads instead.
-- Each entity's region and industry as the store held them after :night, as the night counted
-- them, not as they are now: a page written again for a past night (credit.night.steps
-- ensure_report) must not move an entity to the region it registered later. Its latest
-- registration_history row by :night (index (uscc, night), migration 0021; a 'dropped' row: none),
-- or, for an entity without history rows (a store filled before its history), its current row if
-- it was stored by :night — as sql/rosters/registration_known.sql reads it.
select coalesce(r.region_code, '未知')                  as region_code,
       coalesce(left(r.industry_code, 1), '未知')       as section,
       g.grade,
       count(*)                                         as n
  from grades as g
  left join lateral (
        select h.region_code, h.industry_code
          from (select x.change, x.region_code, x.industry_code
                  from registration_history as x
                 where x.uscc = g.uscc and x.night <= :night
                 order by x.night desc
                 limit 1) as h
         where h.change <> 'dropped'
        union all
        select c.region_code, c.industry_code
          from registration as c
         where c.uscc = g.uscc and c.first_night <= :night
           and not exists (select 1 from registration_history as x where x.uscc = g.uscc)
       ) as r on true
 where g.night = :night
 group by 1, 2, 3
