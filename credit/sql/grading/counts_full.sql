-- Tonight's report counts from every grade (credit.grading.counts, issue 11): the entities per
-- region, industry section (GB/T 4754 门类, the industry code's first letter) and tier, as
-- report_counts.sql counts them, read inside the night's transaction after its grades are stored
-- (the open ranges are tonight's grades). A full night, or a night whose previous graded night has
-- no stored counts. Parameter: :night.
insert into grade_counts (night, region_code, section, grade, n)
select :night,
       coalesce(r.region_code, '未知'),
       coalesce(left(r.industry_code, 1), '未知'),
       g.grade,
       count(*)
  from grade_ranges as g
  left join registration as r using (uscc)
 where g.valid_to is null
 group by 2, 3, 4
