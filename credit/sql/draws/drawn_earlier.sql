-- Entities already drawn by an earlier draw that is still live (domain.md §8: 国办发〔2024〕54号, no
-- repeated checks of the same enterprise): the current version of every inspection of every draw
-- run so far, unless cancelled or unstaffed, whose inspection date (the draw's plan date when it
-- has none: an unscheduled inspection has a team and is still drawn) falls after :cutoff (the
-- exclusion window). An unstaffed inspection (fewer than two competent inspectors, 行政处罚法
-- art. 42) will never take place: it does not shield its enterprise, which stays in later pools
-- (an outsider's acceptance pass: 43 never-inspected enterprises were held out for 365 days, so a
-- matter's effective sample was zero). The state is in every published record (and its redraw
-- files), so anyone recomputes this list (docs/draws.md).
-- A new plan leaves these out of its pool and names them (credit.draws.pools.entity_pool).

with

-- ── the current version of each drawn inspection ───────────────────────────────────────────────
current_inspection as (
    select distinct on (draw_id, uscc)
        draw_id, uscc, state, scheduled_on
    from draw_inspections
    order by draw_id, uscc, version desc
)

select
    ci.draw_id,
    ci.uscc
from current_inspection ci
join draw_plans p using (draw_id)
where ci.state not in ('cancelled', 'unstaffed')
  and coalesce(ci.scheduled_on, p.as_of) > :cutoff
order by ci.draw_id, ci.uscc
