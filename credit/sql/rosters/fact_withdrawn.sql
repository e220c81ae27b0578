-- Cause-1 listings still open on night :n whose report turns out to have been filed in time
-- (filed_on on or before the period's end): revoked as wrong (any.revoke.fact_withdrawn). The error
-- is established when the store holds both the listing and the in-time filing, and the correction's
-- 5 WD run from then (domain.md §3.4): the later of the listing and the night the in-time filing
-- arrived — the first history row since the listing that carries an in-time filed_on (a report first
-- stored late and corrected by a later drop keeps its first_night: s35, listed 07-13, the in-time
-- date arriving 07-14 was dated 07-13 and due 07-20 instead of 07-21); a store without such a row
-- (the filing held before the listing) falls back on the report's first night.
select e.entry_id, e.uscc, e.roster, e.cause_code, r.region_code,
       greatest(e.included_on,
                coalesce((select min(h.night) from annual_reports_history as h
                           where h.night >= e.included_on and h.night <= :n
                             and h.uscc = a.uscc and h.report_year = a.report_year and h.change <> 'dropped'
                             and h.filed_on <= (d.facts ->> 'period_end')::date),
                         a.first_night)) as trigger_date,
       jsonb_build_object('source', 'annual_reports', 'uscc', a.uscc, 'report_year', a.report_year,
                          'filed_on', a.filed_on, 'first_night', a.first_night)::text as facts
  from roster_entry_detail_as_of(:n) as e
  join roster_decisions as d on d.seq = e.entry_id
  join annual_reports as a on a.uscc = e.uscc and a.report_year = (d.facts ->> 'report_year')::bigint
  left join registration as r on r.uscc = e.uscc
 where e.state = 'listed' and e.cause_code = 'annual_report_missing'
   and a.filed_on <= (d.facts ->> 'period_end')::date
