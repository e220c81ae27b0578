-- The adverse spot-check results of entity :u that the grading's INSPECTION_ADVERSE counts on night
-- :night (grading/inspections.sql: keep the result codes and the look-back in step), each with the
-- first night it no longer counts: the day after :years from the inspection, whose last day ends at
-- 24:00 (民法典 arts. 201, 202, domain.md §12). credit.grading.read: what would move the item up.
-- As the store held each result after night :night, not as it holds it now: a later drop that
-- corrects a result (its code, its date) or drops it changes the later nights' grades, not the
-- advice on this night's (every output re-derives from the input snapshot that produced it) — as
-- grading/heavier_cases.sql reads the penalties. Every change leaves an inspection_results_history
-- row (credit.night.merge), so a result of the entity with no history row after :night (later) is
-- as it was then: its current row, if stored by :night (ix_inspection_results_uscc). One changed or
-- dropped since: its latest history row by :night (a 'dropped' row: gone from the store that night;
-- none: not yet stored, or stored before the history was kept). The history's key (night, task_id, uscc) is read by ranges of nights: the
-- nights after :night for the entity's changes since (none when :night is the latest), and, per
-- result changed since, a skip scan over the nights by :night. Reading the entity's whole history
-- instead was a scan of the table per look-up (no index leads with uscc): 30-40 ms on 330 k
-- history rows against 0.6-2.8 ms, the same answers (PostgreSQL 18, 2026-12-02).
with later as materialized (   -- the entity's results with a history row after :night
    select distinct x.task_id
      from inspection_results_history as x
     where x.night > :night and x.uscc = :u
), known as (
    select r.task_id, r.inspected_on, r.result_code
      from inspection_results as r
     where r.uscc = :u and r.first_night <= :night
       and not exists (select 1 from later as l where l.task_id = r.task_id)
    union all
    select v.task_id, v.inspected_on, v.result_code
      from later as l
     cross join lateral (
            select x.change, x.task_id, x.inspected_on, x.result_code
              from inspection_results_history as x
             where x.task_id = l.task_id and x.uscc = :u and x.night <= :night
             order by x.night desc
             limit 1
           ) as v
     where v.change <> 'dropped'
)
select task_id, inspected_on, result_code,
       (inspected_on + make_interval(years => :years))::date + 1 as stops_on
  from known
 where result_code in ('not_disclosed', 'false_disclosure', 'unreachable', 'ordered_to_correct',
                       'not_cooperating', 'pending')
   and inspected_on <= :night
   and :night <= (inspected_on + make_interval(years => :years))::date
 order by inspected_on, task_id
