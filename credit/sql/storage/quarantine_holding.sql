-- Annual-report rows held in quarantine in [:lo, :hi) that still hold back a missing-report
-- decision (no accepted report and no decision for their key; sql/rosters/annual_reports.sql,
-- domain.md §3.1, §3.2): a quarantine month holding any of them is kept by retention.
-- credit_drop_night_partition (migration 0026) checks the same before it drops a month.
select count(*)
  from quarantined_annual_reports as q
 where q.night >= :lo and q.night < :hi
   and not exists (select 1 from annual_reports as a where a.uscc = q.uscc and a.report_year = q.report_year)
   and not exists (select 1 from roster_decisions as d
                    where d.fact_key = 'annual_report_missing:' || q.uscc || ':' || q.report_year)
