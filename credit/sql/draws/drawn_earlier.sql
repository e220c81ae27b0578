-- Entities already drawn by an earlier draw that is still live (domain.md §8: 国办发〔2024〕54号, no
-- repeated checks of the same enterprise): the current version of every inspection of every draw
-- run so far, unless cancelled, whose inspection date (the draw's plan date when it has none: an
-- unstaffed or unscheduled inspection is still drawn) falls after :cutoff (the exclusion window).
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
where ci.state <> 'cancelled'
  and coalesce(ci.scheduled_on, p.as_of) > :cutoff
order by ci.draw_id, ci.uscc
