-- Public results of one inspection task (抽查检查结果公示, domain.md §8): the current version of
-- every inspection the draw made, with the result the inspection_results source delivered.

with

-- ── current version of each inspection of the task ──────────────────────────────────────────────
current_inspection as (
    select distinct on (uscc)
        uscc, version, state, matters, inspectors, scheduled_on
    from draw_inspections
    where draw_id = :task_id
    order by uscc, version desc
)

select
    ci.uscc,
    r.name,
    ci.state,
    ci.matters,
    ci.scheduled_on,
    ir.inspected_on,
    ir.result_code,
    ir.result,
    ir.doc_no,
    ir.first_night                     as result_received_on
from current_inspection ci
left join registration r using (uscc)
left join inspection_results ir on ir.task_id = :task_id and ir.uscc = ci.uscc
order by ci.uscc
