-- Public results of an inspection task this installation did not draw (抽查检查结果公示, domain.md §8):
-- earlier tasks, other departments' joint tasks. The inspection_results source (contracts.md §1,
-- keyed by task_id, uscc) is all there is of them: no matters, no schedule; every row is a result.
-- Same columns as draws/results.sql, so both are judged by one rule (credit.draws.read.public_results).

select
    ir.uscc,
    r.name,
    'assigned'                         as state,
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
order by ir.uscc
