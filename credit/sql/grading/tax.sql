-- Tax (纳税): per entity, the latest tax-and-fee credit level assessed, and the abnormal-taxpayer
-- status (非正常户) and arrears of the latest assessment year (domain.md §11). These raise risk;
-- they never put an entity on a roster (§11 "Pipeline use").
-- The level is the latest year's that carries one: a row of a year not yet assessed (the night's
-- own year, accepted by the drop's checks when it carries no level) states the taxpayer's status
-- and arrears, not a level, and must not hide the last level assessed (2025's D behind 2026's
-- empty level graded the entity as if it had no level; outsider's pass bb5). Only one such year:
-- levels are assessed yearly (§11), so the level is taken from the latest row's year or the year
-- before it, never older (a 2021 D behind 2022–2025 rows without a level is no current level).
-- :ranged = 1: the population is one chunk of several, a contiguous USCC range (issue 11); the
-- fact tables are read between its first and last USCC by their uscc index, :lo and :hi (values
-- read once per chunk, credit.grading.indicators.chunk_bounds: the planner sees the range). 0: the
-- condition folds away when planned (whole or scoped population, plans unchanged).
select
    p.rn,
    case when max(t.assessed_year) filter (where t.tax_credit_grade is not null) >= max(t.assessed_year) - 1
         then (array_agg(t.tax_credit_grade order by t.assessed_year desc)
                   filter (where t.tax_credit_grade is not null))[1]
    end                                                                           as tax_grade,
    (array_agg(t.abnormal_taxpayer_since is not null order by t.assessed_year desc))[1] as abnormal_taxpayer,
    (array_agg(coalesce(t.arrears, 0) order by t.assessed_year desc))[1]        as tax_arrears
from tax as t
join grading_population as p using (uscc)
where (:ranged = 0 or t.uscc between :lo and :hi)
group by p.rn
