-- Tax (纳税): the latest assessment year per entity — tax-and-fee credit grade, abnormal-taxpayer
-- status (非正常户) and arrears (domain.md §11). These raise risk; they never put an entity on a
-- roster (§11 "Pipeline use").
-- :ranged = 1: the population is one chunk of several, a contiguous USCC range (issue 11); the
-- fact tables are read between its first and last USCC by their uscc index, :lo and :hi (values
-- read once per chunk, credit.grading.indicators.chunk_bounds: the planner sees the range). 0: the
-- condition folds away when planned (whole or scoped population, plans unchanged).
select distinct on (t.uscc)
    p.rn,
    t.tax_credit_grade                         as tax_grade,
    (t.abnormal_taxpayer_since is not null)    as abnormal_taxpayer,
    coalesce(t.arrears, 0)                     as tax_arrears
from tax as t
join grading_population as p using (uscc)
where (:ranged = 0 or t.uscc between :lo and :hi)
order by t.uscc, t.assessed_year desc
