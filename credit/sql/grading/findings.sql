-- Supervision: findings (核查结果) still open — an adverse finding within the window with no
-- later finding that cures it (unreachable ↔ contact restored, false disclosure ↔ corrected,
-- ordered disclosure overdue ↔ done; table cure_kinds); these are roster causes 2–4 of domain.md §3.1.
-- :ranged = 1: the population is one chunk of several, a contiguous USCC range (issue 11); the
-- fact tables are read between its first and last USCC by their uscc index, :lo and :hi (values
-- read once per chunk, credit.grading.indicators.chunk_bounds: the planner sees the range). 0: the
-- condition folds away when planned (whole or scoped population, plans unchanged).
select p.rn, count(*) as open_findings
from findings as f
join cure_kinds as k on k.finding_kind = f.kind
join grading_population as p using (uscc)
where (:ranged = 0 or f.uscc between :lo and :hi)
  and f.found_on > (:night - make_interval(years => :finding_years))::date
  and not exists (
      select 1
      from findings as c
      where c.uscc = f.uscc
        and c.found_on >= f.found_on
        and c.kind = k.cure_kind
  )
group by p.rn
