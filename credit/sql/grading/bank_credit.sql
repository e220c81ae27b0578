-- Bank credit (银行信用, domain.md §11): per entity, the latest month the banks reported within
-- :bank_credit_months months before the night — its longest overdue (days) and whether a loan is
-- in default (违约或不良). A grading signal only: never published, never a roster cause.
-- :ranged = 1: the population is one chunk of several, a contiguous USCC range (issue 11); the
-- fact tables are read between its first and last USCC by their uscc index, :lo and :hi (values
-- read once per chunk, credit.grading.indicators.chunk_bounds: the planner sees the range). 0: the
-- condition folds away when planned (whole or scoped population, plans unchanged).
with latest as (
    select distinct on (b.uscc)
        p.rn,
        b.max_overdue_days,
        b.in_default
    from bank_credit as b
    join grading_population as p using (uscc)
    where (:ranged = 0 or b.uscc between :lo and :hi)
      and b.period >= to_char(:night - make_interval(months => :bank_credit_months), 'YYYY-MM')
      and b.period <= to_char(:night, 'YYYY-MM')
    order by b.uscc, b.period desc
)
select
    rn,
    coalesce(max_overdue_days, 0)  as bank_overdue_days,
    coalesce(in_default, false)    as bank_default
from latest
