-- The night's grades counted per region and per industry section (GB/T 4754 门类, the first
-- letter of the industry code), read from what the night committed: the report's crosstabs.
-- Parameters: :night. For a night graded before migration 0030; later nights store their counts
-- (grade_counts, credit.grading.counts: the same figures), which the report reads instead.
select coalesce(r.region_code, '未知')                  as region_code,
       coalesce(left(r.industry_code, 1), '未知')       as section,
       g.grade,
       count(*)                                         as n
  from grades as g
  left join registration as r using (uscc)
 where g.night = :night
 group by 1, 2, 3
