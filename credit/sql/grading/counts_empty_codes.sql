-- The rows of the population graded next whose region or industry code is empty, not missing
-- (credit.grading.counts.chunk_counts: CSV reads both as NA; the counts tell them apart).
select rn, region_code = '' as region_empty, industry_code = '' as industry_empty from grading_population where region_code = '' or industry_code = ''
