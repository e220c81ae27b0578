-- Tonight's report counts as the client counted them while grading a full night
-- (credit.grading.counts.store_counts, chunk_counts): one row per region, industry section and
-- tier, given as four arrays of the same length.
insert into grade_counts (night, region_code, section, grade, n)
select :n, c.region_code, c.section, c.grade, c.n
  from unnest(cast(:r as text[]), cast(:s as text[]), cast(:g as text[]), cast(:k as bigint[]))
       as c (region_code, section, grade, n)
