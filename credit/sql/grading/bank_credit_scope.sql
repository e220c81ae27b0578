-- bank_credit.sql for a scoped night's population of one chunk (credit.grading.indicators
-- .bank_credit, issue 11): the same rows, found by a probe of bank_credit's primary key
-- (uscc, period) per entity of grading_population instead of a read of every row in the window.
-- Per entity, within :bank_credit_months months before the night (domain.md §11), the longest
-- overdue (days) and whether a loan is in default, each of the latest month that carries it
-- (contracts.md §1: empty means unknown, bank_credit.sql); entities without a report in the window
-- have no row. Keep the columns and meanings in step with bank_credit.sql.
select
    p.rn,
    coalesce(b.max_overdue_days, 0)  as bank_overdue_days,
    coalesce(b.in_default, false)    as bank_default
from grading_population as p
cross join lateral (
    select (array_agg(x.max_overdue_days order by x.period desc)
                filter (where x.max_overdue_days is not null))[1]  as max_overdue_days,
           (array_agg(x.in_default order by x.period desc)
                filter (where x.in_default is not null))[1]        as in_default
    from bank_credit as x
    where x.uscc = p.uscc
      and x.period >= to_char(:night - make_interval(months => :bank_credit_months), 'YYYY-MM')
      and x.period <= to_char(:night, 'YYYY-MM')
    group by x.uscc
) as b
