-- Cause 1 (domain.md §3.1, §3.2): a registered enterprise / farmer co-op / 个体工商户 established
-- before the end of report year Y with no report for Y filed by the end of the filing period:
-- 30 June of Y+1, or the working day it rolls to when a rest day (民法典 art. 203, domain.md §12),
-- computed once in Python (credit.annual_reports.filing_period_end) and bound here per year.
-- A report row held back in quarantine for the key (view quarantined_annual_reports, by :night) may
-- be the filing: while it exists and no accepted row does, the decision waits (issue 13 item 5;
-- the deadline watch shows the held row, rosters/quarantine_holds).
-- Parameters: :years (the report years the night decides) and :period_ends (each one's end, same
-- order; credit.annual_reports.ended_before), :statuses, :night. The years are read by position
-- from generate_series over the arrays' length, which the planner counts exactly as it counted
-- the former generate_series over the first and last year (an unnest of a bound array it would guess).
-- The held rows are a join, not a NOT EXISTS under the OR: as a subplan the planner costed it per
-- row and read every annual report by hash for a scoped night of a few thousand entities (issue
-- 11: 0.7 s at 1 M, growing with N); as a join, the scope's entities probe the key.
with report_years as (
    select (cast(:years as int[]))[i]::bigint as report_year, (cast(:period_ends as date[]))[i] as period_end
      from generate_series(1, cardinality(cast(:years as int[]))) as i
),
owed as (                                   -- who owed a report for which year
    select r.uscc, r.entity_kind, r.region_code, r.address, r.established_on, y.report_year,
           y.period_end
      from registration as r
     cross join report_years as y
     where r.established_on <= make_date(y.report_year::int, 12, 31)
       and r.status = any(cast(:statuses as text[]))
)
select o.uscc,
       o.entity_kind,
       o.region_code,
       'annual_report_missing'                                       as cause_code,
       o.period_end                                                  as trigger_date,
       'annual_report_missing:' || o.uscc || ':' || o.report_year    as fact_key,
       -- The facts as jsonb's text of jsonb_build_object('source', …, 'registration', jsonb_build_object(…))
       -- would print them (keys by length, then bytes; ", " and ": "), written out: the values through
       -- to_json (jsonb's escaping and dates), NULL as null. Building the jsonb per row and printing
       -- it was 2–3 s of the 1 M first night's 6.3–9.6 s statement (EXPLAIN ANALYZE, 160,689 rows);
       -- the text is the same (all 2,987,757 registration × year rows of that night compared).
       '{"uscc": ' || coalesce(to_json(o.uscc)::text, 'null')
       || ', "source": "annual_reports", "filed_on": ' || coalesce(to_json(late.filed_on)::text, 'null')
       || ', "period_end": ' || coalesce(to_json(o.period_end)::text, 'null')
       || ', "report_year": ' || coalesce(o.report_year::text, 'null')
       || ', "registration": {"address": ' || coalesce(to_json(o.address)::text, 'null')
       || ', "entity_kind": ' || coalesce(to_json(o.entity_kind)::text, 'null')
       || ', "established_on": ' || coalesce(to_json(o.established_on)::text, 'null') || '}}' as facts
  from owed as o
  left join annual_reports as late
         on late.uscc = o.uscc and late.report_year = o.report_year
  left join (select distinct q.uscc, q.report_year
               from quarantined_annual_reports as q
              where q.night <= :night) as held
         on held.uscc = o.uscc and held.report_year = o.report_year
 where (late.filed_on is null or late.filed_on > o.period_end)
   and (late.uscc is not null or held.uscc is null)
