-- The adverse spot-check results of entity :u that the grading's INSPECTION_ADVERSE counts on night
-- :night (grading/inspections.sql: keep the result codes and the look-back in step), each with the
-- first night it no longer counts: the day after :years from the inspection, whose last day ends at
-- 24:00 (民法典 arts. 201, 202, domain.md §12). credit.grading.read: what would move the item up.
select task_id, inspected_on, result_code,
       (inspected_on + make_interval(years => :years))::date + 1 as stops_on
  from inspection_results
 where uscc = :u
   and result_code in ('not_disclosed', 'false_disclosure', 'unreachable', 'ordered_to_correct',
                       'not_cooperating', 'pending')
   and inspected_on <= :night
   and :night <= (inspected_on + make_interval(years => :years))::date
 order by inspected_on, task_id
