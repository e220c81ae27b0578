-- Public results of one inspection task (抽查检查结果公示, domain.md §8): the current version of
-- every inspection the draw made, with the result the inspection_results source delivered, and
-- any result delivered under the task for an enterprise it did not draw. For a task this
-- installation did not draw (an earlier task, another department's joint task) the source is all
-- there is (contracts.md §1, keyed by task_id, uscc): it has no inspections here, so every row is
-- a delivered result of the second part, with no matters and no schedule
-- (credit.draws.read.public_results judges every row with a result code by that result alone).

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

union all

-- ── a result the source delivered under this task for an enterprise the draw did not pick: ─────
-- published like any delivered result (no matter, no schedule), never left out of the task's
-- results — an inspection outside the draw shows (domain.md §8)
select
    ir.uscc,
    r.name,
    'not_drawn'                        as state,
    '{}'::text[]                       as matters,
    null::date                         as scheduled_on,
    ir.inspected_on,
    ir.result_code,
    ir.result,
    ir.doc_no,
    ir.first_night                     as result_received_on
from inspection_results ir
left join registration r using (uscc)
where ir.task_id = :task_id
  and not exists (select 1 from current_inspection ci where ci.uscc = ir.uscc)

order by uscc
