-- Bank credit (银行信用, domain.md §11): per entity, within :bank_credit_months months before the
-- night, the longest overdue (days) and whether a loan is in default (违约或不良), each of the
-- latest month the banks reported that carries it. A grading signal only: never published, never
-- a roster cause.
-- Each field is the latest month's that carries a value (contracts.md §1: empty means unknown): a
-- month whose in_default or max_overdue_days is empty says nothing about them, and must not hide
-- the default or the overdue of the month before (the latest row with in_default empty graded a
-- default of the month before as none; outsider's pass). The window still bounds every field:
-- a month before it is not read.
-- :ranged = 1: the population is one chunk of several, a contiguous USCC range (issue 11); the
-- fact tables are read between its first and last USCC by their uscc index, :lo and :hi (values
-- read once per chunk, credit.grading.indicators.chunk_bounds: the planner sees the range). 0: the
-- condition folds away when planned (whole or scoped population, plans unchanged).
select
    p.rn,
    coalesce((array_agg(b.max_overdue_days order by b.period desc)
                  filter (where b.max_overdue_days is not null))[1], 0)  as bank_overdue_days,
    coalesce((array_agg(b.in_default order by b.period desc)
                  filter (where b.in_default is not null))[1], false)    as bank_default
from bank_credit as b
join grading_population as p using (uscc)
where (:ranged = 0 or b.uscc between :lo and :hi)
  and b.period >= to_char(:night - make_interval(months => :bank_credit_months), 'YYYY-MM')
  and b.period <= to_char(:night, 'YYYY-MM')
group by p.rn
