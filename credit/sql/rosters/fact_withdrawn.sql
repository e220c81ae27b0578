-- Cause-1 listings whose report turns out to have been filed by the period's end (late data): the
-- listing is revoked as wrong (rules.yaml any.revoke.fact_withdrawn, "the source row showing the
-- obligation was met in time arrives"). Its trigger, and so its due start, is the night the stored
-- report came to show it: the earliest night of the unbroken run of versions in
-- annual_reports_history filed by the period's end that ends at the current one. Not the report's
-- first night: a report that arrived filed late and a later night corrected to a date in time
-- could not be revoked on before that night, and counted from its arrival the revocation read late
-- (the same defect an outside review found in the serious-list proposal, item 8). A report never
-- changed since it arrived (last_night = first_night: the merge moves last_night only when a row
-- changes) started there, without reading its history. A changed one reads its version of the
-- first night by the primary key (night, uscc, report_year) and the versions after it by the
-- key's night range: the history has no index led by the entity, and the first night's range
-- holds every report of the province. A report without history rows starts at its first night.
-- Never before the listing itself: the error is established when the store holds both the
-- listing and the in-time filing (domain.md §3.4, 5 WD from then; an outsider's acceptance pass
-- saw a listing of 07-13 corrected by the 07-14 drop dated 07-13 and due 07-20, not 07-21).
select e.entry_id, e.uscc, e.roster, e.cause_code, r.region_code,
       greatest(e.included_on, case when a.last_night = a.first_night then a.first_night
            else coalesce((
                 select min(v.night)
                   from (select h.night,
                                bool_and(h.change <> 'dropped'
                                         and coalesce(h.filed_on <= (d.facts ->> 'period_end')::date, false))
                                    over (order by h.night desc) as unbroken
                           from (select x.night, x.change, x.filed_on from annual_reports_history as x
                                  where x.night = a.first_night and x.uscc = a.uscc and x.report_year = a.report_year
                                 union all
                                 select x.night, x.change, x.filed_on from annual_reports_history as x
                                  where x.night > a.first_night and x.night <= :n
                                    and x.uscc = a.uscc and x.report_year = a.report_year) as h) as v
                  where v.unbroken), a.first_night)
       end) as trigger_date,
       jsonb_build_object('source', 'annual_reports', 'uscc', a.uscc, 'report_year', a.report_year,
                          'filed_on', a.filed_on, 'first_night', a.first_night)::text as facts
  from roster_entry_detail_as_of(:n) as e
  join roster_decisions as d on d.seq = e.entry_id
  join annual_reports as a on a.uscc = e.uscc and a.report_year = (d.facts ->> 'report_year')::bigint
  left join registration as r on r.uscc = e.uscc
 where e.state = 'listed' and e.cause_code = 'annual_report_missing'
   and a.filed_on <= (d.facts ->> 'period_end')::date
