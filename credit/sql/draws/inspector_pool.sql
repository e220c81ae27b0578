-- 执法检查人员名录库 (inspector pool, domain.md §8): active inspectors with their competence
-- (department, area, GB/T 4754 sections) and their declared conflicts (回避, 行政处罚法 art. 43).

select
    inspector_id,
    coalesce(department, '')              as department,
    region_code,
    coalesce(fields, '{}'::text[])        as fields,
    coalesce(conflicts, '{}'::text[])     as conflicts
from inspectors
where active
order by inspector_id
