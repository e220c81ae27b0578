-- Applications for repair of penalty information (roster 'penalty') not yet answered, with the
-- window of the penalty and what the conditions of 45号令 art. 14 para. 1 need (domain.md §5, §6):
-- the penalty performed, no new penalty of the same kind since, on neither roster on the night.
-- fulfilled_on: the day the penalty was performed — the drop's fulfilled_on, or its decision day when
-- every measure is one of :complete (a warning, a notice of criticism leave nothing to perform:
-- credit.penalties.performance, domain.md §5.2, §6 art. 14 para. 1 item (1)), as grading's
-- PENALTIES_UNFULFILLED reads it (sql/grading/penalties.sql).
-- penalty_uscc: the entity the stored penalty names tonight — another than the applicant's when a
-- later drop corrected the case to name another entity (contracts.md §1: keyed by case_no), null
-- when a full snapshot dropped it (penalty_dropped): the application is decided on what the
-- record says now (credit.penalties.repair: it ends, the penalty is no longer the applicant's).
with w as (
    select distinct on (x.case_no) x.* from penalty_publicity as x
     where x.night <= :n order by x.case_no, x.night desc
)
select q.id as request_id, q.uscc, q.case_no, q.received_on, q.rule_id as request_rule,
       w.class, w.published, w.publicity_from, w.publicity_until, w.repair_from, w.repair_note,
       w.revoked_on, w.withdrawn_on,
       coalesce(p.fulfilled_on, case when cardinality(p.measures) > 0
                                      and p.measures <@ cast(:complete as text[]) then p.decided_on end) as fulfilled_on,
       p.category, p.decided_on, r.region_code, p.uscc as penalty_uscc, p.case_no is null as penalty_dropped,
       exists (select 1 from penalties as n
                where n.uscc = q.uscc and n.category = p.category and n.case_no <> p.case_no
                  and n.decided_on > p.decided_on and n.decided_on <= :n)                    as new_same_category,
       -- the two rosters of art. 14 para. 1 (4), not a 个体工商户's abnormal-status marking, which is
       -- no roster (domain.md §2, 69号令); the entity's own entries, not the whole roster's fold
       exists (select 1 from roster_entry_detail_of(array[q.uscc], :n) as e
                where e.state = 'listed' and e.roster in ('abnormal', 'serious'))             as on_roster,
       exists (select 1 from roster_decisions as d
                where d.uscc = q.uscc and d.roster = 'penalty' and d.action = 'remove'
                  and d.facts ->> 'case_no' = q.case_no)                                     as repaired
  from roster_requests as q
  join w on w.case_no = q.case_no
  left join penalties as p on p.case_no = q.case_no
  left join registration as r on r.uscc = q.uscc
 where q.kind = 'repair' and q.roster = 'penalty' and q.received_on <= :n
   and not exists (select 1 from roster_decisions as d where d.request_id = q.id)
 order by q.id
