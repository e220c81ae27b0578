-- The adverse spot-check results of entity :u that the grading's INSPECTION_ADVERSE counts on night
-- :night (grading/inspections.sql: keep the result codes and the look-back in step), each with the
-- first night it no longer counts: the day after :years from the inspection, whose last day ends at
-- 24:00 (民法典 arts. 201, 202, domain.md §12). credit.grading.read: what would move the item up.
-- As the store held each result after night :night, not as it holds it now: a later drop that
-- corrects a result (its code, its date) or drops it changes the later nights' grades, not the
-- advice on this night's (every output re-derives from the input snapshot that produced it) — as
-- grading/heavier_cases.sql reads the penalties. Each (task, entity)'s facts: its latest
-- inspection_results_history row by :night (a 'dropped' row: gone from the store that night), or,
-- for a result without history rows (a store filled before its history), its current row if it was
-- stored by :night. The entity's history rows are read once (h, materialized: referenced twice);
-- the history has no index by entity (its key leads with the night), a scan of it per look-up.
with h as materialized (
    select x.task_id, x.night, x.change, x.inspected_on, x.result_code
      from inspection_results_history as x
     where x.uscc = :u
), known as (
    select v.task_id, v.inspected_on, v.result_code
      from (select distinct on (h.task_id) h.task_id, h.change, h.inspected_on, h.result_code
              from h
             where h.night <= :night
             order by h.task_id, h.night desc) as v
     where v.change <> 'dropped'
    union all
    select r.task_id, r.inspected_on, r.result_code
      from inspection_results as r
     where r.uscc = :u and r.first_night <= :night
       and not exists (select 1 from h where h.task_id = r.task_id)
)
select task_id, inspected_on, result_code,
       (inspected_on + make_interval(years => :years))::date + 1 as stops_on
  from known
 where result_code in ('not_disclosed', 'false_disclosure', 'unreachable', 'ordered_to_correct',
                       'not_cooperating', 'pending')
   and inspected_on <= :night
   and :night <= (inspected_on + make_interval(years => :years))::date
 order by inspected_on, task_id
