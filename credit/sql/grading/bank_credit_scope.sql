-- bank_credit.sql for a scoped night's population of one chunk (credit.grading.indicators
-- .bank_credit, issue 11): the same rows, found by a probe of bank_credit's primary key
-- (uscc, period) per entity of grading_population instead of a read of every row in the window.
-- Per entity, the latest month the banks reported within :bank_credit_months months before the
-- night (domain.md §11) — its longest overdue (days) and whether a loan is in default; entities
-- without a report in the window have no row. Keep the columns and meanings in step with
-- bank_credit.sql.
select
    p.rn,
    coalesce(b.max_overdue_days, 0)  as bank_overdue_days,
    coalesce(b.in_default, false)    as bank_default
from grading_population as p
cross join lateral (
    select x.max_overdue_days, x.in_default
    from bank_credit as x
    where x.uscc = p.uscc
      and x.period >= to_char(:night - make_interval(months => :bank_credit_months), 'YYYY-MM')
      and x.period <= to_char(:night, 'YYYY-MM')
    order by x.period desc
    limit 1
) as b
