-- Supervision: recent spot-check results with a problem found (domain.md §8 result categories).
-- `normal` and `not_operating` are not adverse; `pending` (问题待后续处理) is.
select p.rn, count(*) as inspections_adverse
from inspection_results as i
join grading_population as p using (uscc)
where i.result_code in ('not_disclosed', 'false_disclosure', 'unreachable', 'ordered_to_correct',
                        'not_cooperating', 'pending')
  and i.inspected_on > (:night - make_interval(years => :inspection_years))::date
group by p.rn
