select null::bigint as request_id, e.entry_id, e.uscc, e.roster, e.cause_code, e.included_on,
       e.authority, e.effective_until, d.trigger_date as fact_date, r.region_code,
       (select a.filed_on from annual_reports a where a.uscc = e.uscc
           and a.report_year = (d.facts ->> 'report_year')::bigint) as report_filed_on,
       (select min(f.found_on) from findings f where f.uscc = e.uscc and f.found_on >= d.trigger_date
           and f.found_on <= :n
           and f.kind = (select k.cure_kind from cure_kinds as k where k.cause_code = e.cause_code)) as cured_on,
       null::date as penalty_fulfilled_on, false as penalty_based, false as new_heavier_penalty,
       false as abnormal_still_open
  from roster_entry_detail_as_of(:n) e
  join roster_decisions d on d.seq = e.entry_id
  left join registration r on r.uscc = e.uscc
 where e.state = 'listed' and e.roster <> 'serious'
