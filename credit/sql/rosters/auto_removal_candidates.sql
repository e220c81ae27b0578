select null::bigint as request_id, e.entry_id, e.uscc, e.roster, e.cause_code, e.included_on,
       e.authority, e.effective_until, d.trigger_date as fact_date, r.region_code,
       (select a.filed_on from annual_reports a where a.uscc = e.uscc
           and a.report_year = (d.facts ->> 'report_year')::bigint) as report_filed_on,
       (select min(c.cured_on) from cure_events c where c.uscc = e.uscc and c.cause_code = e.cause_code
           and c.cured_on >= d.trigger_date and c.cured_on <= :n) as cured_on,
       null::date as penalty_fulfilled_on, false as penalty_based, false as new_heavier_penalty,
       false as abnormal_still_open
  from roster_entry_detail_as_of(:n) e
  join roster_decisions d on d.seq = e.entry_id
  left join registration r on r.uscc = e.uscc
 where e.state = 'listed' and e.roster <> 'serious'
