-- Missing-report decisions (cause 1, domain.md §3.2) held back because a report row for the key sits
-- in quarantine (view quarantined_annual_reports) and no accepted row exists: the deadline watch
-- shows each with the quarantined row (night, file, line, reason) so an officer can have it
-- delivered again. Due: 10 WD after the end of the filing period (30 June of the year after the
-- report year, rolled past a rest day: credit.annual_reports; the due date is computed in Python).
-- Parameters: :on, :years and :period_ends (the report years whose period ended before :on, with
-- that end, same order; credit.annual_reports.ended_before).
select distinct on (q.uscc, q.report_year)
       r.region_code, r.entity_kind, q.uscc, q.report_year,
       y.period_end as start_on,
       'quarantine ' || q.night || ' ' || q.file || ':' || q.line as ref, q.reason
  from quarantined_annual_reports as q
  join unnest(cast(:years as int[]), cast(:period_ends as date[])) as y(report_year, period_end)
         on y.report_year = q.report_year
  join registration as r on r.uscc = q.uscc
 where q.night <= :on
   and r.established_on <= make_date(q.report_year::int, 12, 31)
   and not exists (select 1 from annual_reports as a where a.uscc = q.uscc and a.report_year = q.report_year)
   and not exists (select 1 from roster_decisions as d
                    where d.fact_key = 'annual_report_missing:' || q.uscc || ':' || q.report_year)
 order by q.uscc, q.report_year, q.night, q.file, q.line
