-- 检查对象名录库 (entity pool, domain.md §8): live entities as of :as_of with their GB/T 4754
-- section and their most recent inspection (date and inspectors), for a draw plan.
-- Tiers come separately from `grades` (credit/draws/store.py), which may not exist yet.

with

-- ── live entities ─────────────────────────────────────────────────────────────────────────────
live as (
    select
        uscc,
        region_code,
        coalesce(left(industry_code, 1), '') as section
    from registration
    where status = 'operating'
      and established_on <= :as_of
),

-- ── the previous inspection of each entity (for the repeat window and "not the same inspectors")
last_inspection as (
    select distinct on (uscc)
        uscc,
        inspected_on,
        coalesce(inspector_ids, '{}'::text[]) as inspector_ids
    from inspection_results
    where inspected_on <= :as_of
    order by uscc, inspected_on desc, task_id desc
)

select
    live.uscc,
    live.region_code,
    live.section,
    last_inspection.inspected_on                            as last_inspected_on,
    coalesce(last_inspection.inspector_ids, '{}'::text[])   as prev_inspectors
from live
left join last_inspection using (uscc)
order by live.uscc
