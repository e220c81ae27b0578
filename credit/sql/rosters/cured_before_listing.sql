-- Listings on a cause that lapses on its cure (:rules, rules.yaml `lapses_on_cure`: causes 3 and 4)
-- still open on night :n although the cure was established (查实, view cure_events) on or after the
-- fact and on or before the listing: no cause held on the decision date (domain.md §3.3, §3.4), so
-- the listing is revoked as wrong. The error is established when the store holds both the listing
-- and the cure (the later of the listing and the night the cure arrived): the correction's 5 WD run
-- from then (any.revoke.fact_withdrawn).
select e.entry_id, e.uscc, e.roster, e.cause_code, r.region_code,
       greatest(e.included_on, c.recorded_night) as trigger_date,
       jsonb_build_object('source', c.source, 'ref', c.ref, 'kind', c.detail, 'cured_on', c.cured_on,
                          'recorded_night', c.recorded_night, 'included_on', e.included_on,
                          'cured_before_listing', true)::text as facts
  from roster_entry_detail_as_of(:n) as e
  join roster_decisions as d on d.seq = e.entry_id
 cross join lateral (
       select x.cured_on, x.recorded_night, x.source, x.ref, x.detail from cure_events as x
        where x.uscc = e.uscc and x.cause_code = e.cause_code
          and x.cured_on >= coalesce(d.trigger_date, d.decision_date) and x.cured_on <= e.included_on
          and x.recorded_night <= :n
        order by x.cured_on, x.recorded_night limit 1) as c
  left join registration as r on r.uscc = e.uscc
 where e.state = 'listed' and e.roster <> 'serious' and d.rule_id = any(cast(:rules as text[]))
