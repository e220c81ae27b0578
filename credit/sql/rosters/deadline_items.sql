-- The open items of the deadline watch: drafts, then applications and objections not yet answered.
-- :pat (a LIKE pattern of authority codes, null for all) keeps one district's items (the workbench).
select p.authority_name as authority, 'draft:' || p.proposed_action as kind, p.uscc, p.roster,
       'decision ' || p.seq as ref, p.due_date, p.due_provisional, p.rule_id, p.trigger_date as start_on,
       null::date as cure_on, null::jsonb as entries, null::text as region_code
  from roster_decisions p
 where p.action = 'propose' and p.decision_date <= :on
   and not exists (select 1 from roster_decisions x where x.decision_date <= :on
                     and ((x.action = 'reject' and x.refers_to = p.seq)
                          or (x.action <> 'propose' and x.fact_key = p.fact_key)))
   and (cast(:pat as text) is null or p.authority like cast(:pat as text))
union all
-- An application for removal covers every entry of its roster listed on receipt, each decided by
-- its own rule; it is open while one of them, still listed, has no answer on it (``entries``: those,
-- with their 查实 of the cure, for the per-entry limits of credit.rosters.deadlines). ``cure_on``: the
-- earliest cure of any entry covered (what the watch read before the entries were listed). The entries
-- are the entity's own fold (roster_entry_detail_of, migration 0015), not the whole roster's per request.
-- ``authority``: the roster's last deciding authority; none yet (the repair of penalty information,
-- roster 'penalty', which no roster decision of its own precedes): null, and ``region_code`` names
-- the entity's registration authority (credit.rosters.deadlines), which the district filter below reads too.
select (select d.authority_name from roster_decisions d where d.uscc = q.uscc and d.roster = q.roster
         order by d.seq desc limit 1) as authority,
       q.kind, q.uscc, q.roster, 'request ' || q.id, q.due_date, q.due_provisional, q.rule_id,
       q.received_on, c.cure_on, c.entries,
       (select g.region_code from registration g where g.uscc = q.uscc) as region_code
  from roster_requests q
  left join lateral (
       select min(x.cured_on) as cure_on,
              jsonb_agg(jsonb_build_object('cause_code', x.cause_code, 'cause', x.cause,
                                           'decision_no', x.decision_no, 'cure_on', x.cured_on)
                        order by x.entry_id) filter (where not x.answered) as entries
         from (select e.entry_id, e.cause_code, e.cause, e.decision_no,
                      -- the cure as rosters/removal_cure.sql reads it: the missing report filed
                      -- (cause 1), else 查实 (causes 2–4)
                      coalesce((select a.filed_on from annual_reports a
                                 where e.cause_code = 'annual_report_missing' and a.uscc = e.uscc
                                   and a.report_year = (i.facts ->> 'report_year')::bigint and a.filed_on <= :on),
                               (select min(f.cured_on) from cure_events f
                                 where f.uscc = e.uscc and f.cause_code = e.cause_code
                                   and f.cured_on >= coalesce(i.trigger_date, i.decision_date)
                                   and f.cured_on <= :on)) as cured_on,
                      exists (select 1 from roster_decisions x where x.request_id = q.id
                                 and x.entry_id = e.entry_id and x.decision_date <= :on) as answered
                 from roster_entry_detail_of(array[q.uscc], :on) e join roster_decisions i on i.seq = e.entry_id
                where q.kind = 'repair' and e.uscc = q.uscc and e.roster = q.roster and e.state = 'listed'
                  and e.included_on <= q.received_on and (q.entry_id is null or q.entry_id = e.entry_id)) as x
       ) as c on true
 where q.received_on <= :on
   -- on the request alone, so that the lateral above runs for these rows only, never for every
   -- application ever received (roster_requests only grows): unanswered, or an answered repair
   -- that may cover more entries than it has answers (more inclusions on its roster by receipt)
   and (not exists (select 1 from roster_decisions x where x.request_id = q.id and x.decision_date <= :on)
        or (q.kind = 'repair' and q.entry_id is null
            and (select count(*) from roster_decisions i
                  where i.uscc = q.uscc and i.roster = q.roster and i.action in ('include', 'escalate')
                    and i.decision_date <= q.received_on)
                > (select count(*) from roster_decisions x where x.request_id = q.id and x.decision_date <= :on)))
   and (not exists (select 1 from roster_decisions x where x.request_id = q.id and x.decision_date <= :on)
        or c.entries is not null)
   and (cast(:pat as text) is null
        or coalesce((select d.authority from roster_decisions d where d.uscc = q.uscc and d.roster = q.roster
                      order by d.seq desc limit 1),
                    (select g.region_code from registration g where g.uscc = q.uscc)) like cast(:pat as text))
