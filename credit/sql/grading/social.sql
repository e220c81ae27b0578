-- Social security (社保): the latest period's insured headcount and arrears months, and the
-- headcount :trend_months earlier for the trend (domain.md §11).
-- :ranged = 1: the population is one chunk of several, a contiguous USCC range (issue 11); the
-- fact tables are read between its first and last USCC by their uscc index, :lo and :hi (values: see below). 0: the
-- condition folds away when planned (whole or scoped population, plans unchanged).
with latest as (
    select distinct on (s.uscc) p.rn, s.uscc, s.period, s.insured_count, s.arrears_months
    from social_security as s
    join grading_population as p using (uscc)
    where (:ranged = 0 or s.uscc between :lo and :hi)
    order by s.uscc, s.period desc
)
select
    l.rn,
    l.insured_count,
    coalesce(l.arrears_months, 0) as social_arrears_months,
    e.insured_count               as insured_earlier
from latest as l
left join social_security as e
  on e.uscc = l.uscc
 and e.period = to_char(to_date(l.period, 'YYYY-MM') - make_interval(months => :trend_months), 'YYYY-MM')
 and (:ranged = 0 or e.uscc between :lo and :hi)
