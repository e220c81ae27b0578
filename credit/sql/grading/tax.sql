-- Tax (纳税): per entity, the latest tax-and-fee credit level assessed, the latest arrears known,
-- and the abnormal-taxpayer status (非正常户) of the latest assessment year (domain.md §11). These
-- raise risk; they never put an entity on a roster (§11 "Pipeline use").
-- The level is the latest year's that carries one: a row of a year not yet assessed (the night's
-- own year, accepted by the drop's checks when it carries no level) states the taxpayer's status
-- and arrears, not a level, and must not hide the last level assessed (2025's D behind 2026's
-- empty level graded the entity as if it had no level; outsider's pass bb5). Only one such year:
-- levels are assessed yearly (§11), so the level is taken from the latest row's year or the year
-- before it, never older (a 2021 D behind 2022–2025 rows without a level is no current level).
-- The arrears likewise are the latest year's that carries an amount (contracts.md §1: empty means
-- unknown, 0 means none): 2025's ¥300 behind 2026's empty arrears graded as no arrears. The
-- status is the latest year's row as it stands: abnormal_taxpayer_since empty is how a taxpayer
-- that is not 非正常户 is delivered, so an empty date there is "not abnormal", not unknown.
-- Only the years of grading.yaml's window count (tax_years, domain.md §11): rows assessed before
-- :tax_from_year (the night's year − tax_years; 0 without the key: every year) are not read, so a
-- 2020 D, 非正常户 or arrears no longer grades a night of 2026 (outsider's pass). Within the
-- window the rules above apply as they stand: the latest row is the window's latest.
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
    coalesce((array_agg(t.arrears order by t.assessed_year desc)
        filter (where t.arrears is not null))[1], 0)                            as tax_arrears
from tax as t
join grading_population as p using (uscc)
where (:ranged = 0 or t.uscc between :lo and :hi)
  and t.assessed_year >= :tax_from_year
group by p.rn
