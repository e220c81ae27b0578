select e.entry_id, e.uscc, e.roster, e.cause_code, r.region_code, a.first_night as trigger_date,
       jsonb_build_object('source', 'annual_reports', 'uscc', a.uscc, 'report_year', a.report_year,
                          'filed_on', a.filed_on, 'first_night', a.first_night)::text as facts
  from roster_entry_detail_as_of(:n) as e
  join roster_decisions as d on d.seq = e.entry_id
  join annual_reports as a on a.uscc = e.uscc and a.report_year = (d.facts ->> 'report_year')::bigint
  left join registration as r on r.uscc = e.uscc
 where e.state = 'listed' and e.cause_code = 'annual_report_missing'
   and a.filed_on <= (d.facts ->> 'period_end')::date
