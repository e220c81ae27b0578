-- Pending applications for removal (移出申请 / 信用修复, domain.md §3.3, §4, §5) against the
-- entries they cover, with what the store says about the cure.
-- An application covers every entry of its roster open on the night and included on or before
-- its receipt (the clerk records the entity and roster, not an entry); one not yet answered by a
-- decision naming both the application and the entry is pending.
-- Parameters: :night; :hm, the measures that make a penalty heavier (rosters.yaml heavier_measures);
-- :complete, the measures that leave nothing to perform (credit.penalties.performance).
with open_entries as (
    select e.* from roster_entry_detail_as_of(:night) as e where e.state = 'listed'
),
pending as (
    select q.id as request_id, q.received_on, q.rule_id as request_rule, e.*
      from roster_requests as q
      join open_entries as e
        on e.uscc = q.uscc and e.roster = q.roster and e.included_on <= q.received_on
       and (q.entry_id is null or q.entry_id = e.entry_id)
     where q.kind = 'repair' and q.received_on <= :night
       and not exists (select 1 from roster_decisions as d
                        where d.request_id = q.id and d.entry_id = e.entry_id)
),
inc as (
    select d.seq, d.trigger_date, d.facts from roster_decisions as d where d.action in ('include', 'escalate')
)
select p.request_id, p.received_on, p.entry_id, p.uscc, p.roster, p.cause_code, p.included_on,
       p.authority, p.effective_until, inc.trigger_date as fact_date, r.region_code,
       -- cause 1: the missing report filed
       (select a.filed_on from annual_reports as a
         where a.uscc = p.uscc and a.report_year = (inc.facts ->> 'report_year')::bigint)   as report_filed_on,
       -- causes 2–4: the cure established (查实): a curing finding or, for cause 4, a registered
       -- change of address (view cure_events, domain.md §3.3)
       (select min(c.cured_on) from cure_events as c
         where c.uscc = p.uscc and c.cause_code = p.cause_code
           and c.cured_on >= coalesce(inc.trigger_date, p.included_on) and c.cured_on <= :night)  as cured_on,
       -- serious list: the penalty performed (domain.md §4 early removal) — on the drop's fulfilled_on,
       -- or on its decision day when every measure is one of :complete (a warning, a notice of
       -- criticism: nothing left to perform; as grading's PENALTIES_UNFULFILLED and penalty repair
       -- read it) — and no new heavier penalty (still in force) since the listing
       (select coalesce(pe.fulfilled_on,
                        case when cardinality(pe.measures) > 0
                              and pe.measures <@ cast(:complete as text[]) then pe.decided_on end)
          from penalties as pe where pe.case_no = inc.facts ->> 'case_no')                      as penalty_fulfilled_on,
       (inc.facts ->> 'case_no') is not null                                                      as penalty_based,
       exists (select 1 from penalties as pn
                where pn.uscc = p.uscc and (pn.heavier or pn.measures && cast(:hm as text[]))
                  and pn.decided_on > p.included_on
                  and pn.decided_on <= :night
                  -- a penalty revoked, changed or held void by the night is no penalty (45号令 art. 11)
                  and (pn.revoked_on is null or pn.revoked_on > :night))                                                  as new_heavier_penalty,
       -- serious list: the end of a restriction of the penalty (recorded with the listing, or the
       -- drop's restricted_until): early removal waits for it (domain.md §4)
       greatest((inc.facts ->> 'restriction_ends')::date,
                (select pe.restricted_until from penalties as pe where pe.case_no = inc.facts ->> 'case_no'))
                                                                                                 as restriction_ends,
       -- escalated entries: the abnormal-roster entry behind them still open (obligations unmet)
       exists (select 1 from open_entries as src
                where src.entry_id = (inc.facts ->> 'abnormal_entry')::bigint)                 as abnormal_still_open
  from pending as p
  join inc on inc.seq = p.entry_id
  left join registration as r on r.uscc = p.uscc
