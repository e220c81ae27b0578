-- Operations (经营): annual reports due, missing and late (domain.md §2), and the latest report.
-- grading_report_years holds the report years looked at with their filing deadline (30 June of
-- the next year, rolled to a working day by 民法典 art. 203); it is filled by credit.indicators.
-- A report for year Y is due from an entity established in year Y or earlier (it files in Y+1).
-- :ranged = 1: the population is one chunk of several, a contiguous USCC range (issue 11); the
-- fact tables are read between its first and last USCC by their uscc index, :lo and :hi (values
-- read once per chunk, credit.grading.indicators.chunk_bounds: the planner sees the range). 0: the
-- condition folds away when planned (whole or scoped population, plans unchanged).
--
-- One pass over the population's reports (issue 11, stop 30): each report is read once, joined to
-- the population by uscc, and gives at once the due years filed, the late ones and the latest
-- report. A due year is missing when it has no report (annual_reports' key is (uscc, report_year)
-- and filed_on is not null, so a due year has at most one report, and it is filed): missing = the
-- entity's due years (counted per year of establishment in `due`, a few dozen rows) less its due
-- years reported. The report years and their deadlines are read as two arrays (InitPlan) rather
-- than joined: a join to the 3 rows cost a nested loop per report. Before, the due years were
-- joined to the reports (a merge join that re-read 634,000 report rows for 469,000) and the
-- reports were read again for the latest one. At 1 M, a chunk of 200,000 entities: shared buffer
-- accesses 9,800 instead of 326,000; the backend's CPU time a modest gain on a busy machine
-- (median of 10 interleaved runs 1.82 s against 1.90 s; the whole population, 3 runs, 6.5–7.9 s
-- against 7.8–10.1 s), not the ~1 s EXPLAIN ANALYZE's timings suggested (docs/benchmarks.md).
with
due as (
    select e.established_year, count(y.report_year) as due
    from (select distinct extract(year from established_on)::int as established_year from grading_population) as e
    left join grading_report_years as y on y.report_year >= e.established_year
    group by e.established_year
),
reported as (
    select
        a.uscc,
        count(*) filter (where a.report_year = any (ys.years)
                           and a.report_year >= extract(year from p.established_on)::int)           as due_reported,
        count(*) filter (where a.report_year = any (ys.years)
                           and a.report_year >= extract(year from p.established_on)::int
                           and a.filed_on > ys.deadlines[array_position(ys.years, a.report_year)])  as reports_late,
        (array_agg(a.employees order by a.report_year desc))[1]                                     as employees,
        (array_agg(a.revenue order by a.report_year desc))[1]                                       as revenue
    from annual_reports as a
    join grading_population as p on p.uscc = a.uscc
    cross join (select array_agg(report_year::bigint) as years, array_agg(deadline) as deadlines
                  from grading_report_years) as ys
    where (:ranged = 0 or a.uscc between :lo and :hi)
    group by a.uscc
)
select
    p.rn,
    coalesce(d.due, 0) - coalesce(r.due_reported, 0) as reports_missing,
    coalesce(r.reports_late, 0)                      as reports_late,
    r.employees,
    r.revenue
from grading_population as p
left join due as d on d.established_year = extract(year from p.established_on)::int
left join reported as r on r.uscc = p.uscc
where r.uscc is not null or coalesce(d.due, 0) - coalesce(r.due_reported, 0) + coalesce(r.reports_late, 0) > 0
