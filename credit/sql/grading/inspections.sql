-- Supervision: recent spot-check results with a problem found (domain.md §8 result categories).
-- `normal` and `not_operating` are not adverse; `pending` (问题待后续处理) is.
-- :ranged = 1: the population is one chunk of several, a contiguous USCC range (issue 11); the
-- fact tables are read between its first and last USCC by their uscc index, :lo and :hi (values
-- read once per chunk, credit.grading.indicators.chunk_bounds: the planner sees the range). 0: the
-- condition folds away when planned (whole or scoped population, plans unchanged).
select p.rn, count(*) as inspections_adverse
from inspection_results as i
join grading_population as p using (uscc)
where (:ranged = 0 or i.uscc between :lo and :hi)
  and i.result_code in ('not_disclosed', 'false_disclosure', 'unreachable', 'ordered_to_correct',
                        'not_cooperating', 'pending')
  -- within the look-back: :inspection_years from the inspection end at 24:00 on the corresponding
  -- day (民法典 arts. 201, 202, domain.md §12), so the result counts through that night
  and i.inspected_on >= (:night - make_interval(years => :inspection_years))::date - 1   -- the same, on the column (a superset)
  and :night <= (i.inspected_on + make_interval(years => :inspection_years))::date
group by p.rn
