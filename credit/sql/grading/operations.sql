-- Operations (经营): annual reports due, missing and late (domain.md §2), and the latest report.
-- grading_report_years holds the report years looked at with their filing deadline (30 June of
-- the next year, rolled to a working day by 民法典 art. 203); it is filled by credit.indicators.
-- A report for year Y is due from an entity established in year Y or earlier (it files in Y+1).
-- :ranged = 1: the population is one chunk of several, a contiguous USCC range (issue 11); the
-- fact tables are read between its first and last USCC by their uscc index (InitPlans). 0: the
-- condition folds away when planned (whole or scoped population, plans unchanged).
with
due as (
    select p.rn, p.uscc, y.report_year, y.deadline
    from grading_population as p
    join grading_report_years as y
      on y.report_year >= extract(year from p.established_on)::int
),
filed as (
    select d.rn, d.deadline, a.filed_on
    from due as d
    left join annual_reports as a
      on a.uscc = d.uscc and a.report_year = d.report_year
     and (:ranged = 0 or a.uscc between (select min(uscc) from grading_population) and (select max(uscc) from grading_population))
),
counted as (
    select
        rn,
        count(*) filter (where filed_on is null)        as reports_missing,
        count(*) filter (where filed_on > deadline)     as reports_late
    from filed
    group by rn
),
latest as (
    select distinct on (a.uscc) p.rn, a.employees, a.revenue
    from annual_reports as a
    join grading_population as p using (uscc)
    where (:ranged = 0 or a.uscc between (select min(uscc) from grading_population) and (select max(uscc) from grading_population))
    order by a.uscc, a.report_year desc
)
select
    coalesce(c.rn, l.rn)               as rn,
    coalesce(c.reports_missing, 0)     as reports_missing,
    coalesce(c.reports_late, 0)        as reports_late,
    l.employees,
    l.revenue
from counted as c
full join latest as l using (rn)
where coalesce(c.reports_missing, 0) + coalesce(c.reports_late, 0) > 0 or l.rn is not null
