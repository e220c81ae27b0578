-- 检查对象名录库 (entity pool, domain.md §8): entities operating as of :as_of, as the store held
-- them after that night, with their GB/T 4754 section and their most recent inspection (date and
-- inspectors), for a draw plan. Its kind (enterprise / individual / farmer_coop, contracts.md §1) puts it
-- in the matters that draw its kind (config/draws.yaml entity_kinds).
-- Tiers come separately from `grades` (credit/draws/store.py), which may not exist yet.

with

-- ── the registrations as the store held them after night :as_of ─────────────────────────────
-- The pool is the roster on the plan date (its tiers are those graded by then: grades_as_of),
-- not today's: an entity cancelled on a later night was operating then, one registered on a
-- later night was not yet known. An entity no night after :as_of changed is its current row
-- (almost all: one probe of registration_history's primary key (night, uscc) each); one that a
-- later night changed or dropped is its latest history row up to :as_of (index (uscc, night),
-- migration 0021), none when that row is a drop or there is none.
known as (
    select r.uscc, r.entity_kind, r.status, r.established_on, r.region_code, r.industry_code
    from registration as r
    where r.first_night <= :as_of
      and not exists (select 1 from registration_history as h where h.night > :as_of and h.uscc = r.uscc)
    union all
    select h.uscc, h.entity_kind, h.status, h.established_on, h.region_code, h.industry_code
    from (select distinct uscc from registration_history where night > :as_of) as later
    cross join lateral (
        select x.uscc, x.entity_kind, x.status, x.established_on, x.region_code, x.industry_code, x.change
        from registration_history as x
        where x.uscc = later.uscc and x.night <= :as_of
        order by x.night desc
        limit 1) as h
    where h.change <> 'dropped'
),

-- ── live entities ─────────────────────────────────────────────────────────────────────────────
live as (
    select
        uscc,
        entity_kind,
        region_code,
        coalesce(left(industry_code, 1), '') as section
    from known
    where status = 'operating'
      and established_on <= :as_of
),

-- ── the previous inspection of each entity (for the repeat window and "not the same inspectors")
-- Every result the store holds dated by :today (the day the plan is made), not only those dated by
-- :as_of: the plan's inspections fall after today (a window counted from today when the roster
-- date's has begun, credit.draws.store.plan_draw), and an entity inspected since the roster date is
-- not to be inspected again so soon (domain.md §8: 国办发〔2024〕54号).
last_inspection as (
    select distinct on (uscc)
        uscc,
        inspected_on,
        coalesce(inspector_ids, '{}'::text[]) as inspector_ids
    from inspection_results
    where inspected_on <= :today
    order by uscc, inspected_on desc, task_id desc
)

select
    live.uscc,
    live.entity_kind,
    live.region_code,
    live.section,
    last_inspection.inspected_on                            as last_inspected_on,
    coalesce(last_inspection.inspector_ids, '{}'::text[])   as prev_inspectors
from live
left join last_inspection using (uscc)
order by live.uscc
