-- Listings on causes 2–4 (domain.md §3.1) made on a finding (核查结果) that a later drop corrected to
-- name another entity: the same finding_id re-delivered with another USCC (contracts.md §1: the
-- source's key is finding_id, a delta row replaces the stored one). The listed entity's basis is
-- shown wrong, so its listing is revoked as wrong (撤销, domain.md §3.4, as for an upheld
-- objection) by a new decision (rules.yaml any.revoke.fact_withdrawn); the listing itself stays in
-- the log. The entity the finding now names is decided on its own (fact_inclusions.sql, keyed by
-- finding and entity: credit.rosters.decide._fact_inclusions).
-- The same for a finding corrected to another kind (the same finding_id and USCC, another kind:
-- another cause, or a cure's kind): the cause it listed is not established (an outsider's list,
-- case 2); the kind it names now is decided on its own (the listed entity's own key then moves
-- on: credit.rosters.decide._own_finding_keys). And for a finding a full snapshot no longer holds
-- (contracts.md §1: a full file replaces the source's state; the merge dropped it, its history
-- row says 'dropped'; case 3): the listing's basis is withdrawn (facts: finding_dropped). Each
-- such revocation says finding_reassigned: a revocation as wrong, no cure (entry_states.sql). A
-- listing whose finding the store never held (an imported decision) is left as it is.
-- The error is established on the night the store came to hold the finding under another USCC
-- or kind, or dropped it: the earliest night of the unbroken run of versions not naming the
-- listed entity with the listed kind that ends at the current one, never before the listing (the
-- correction's 5 WD run from then). The versions
-- are read by the history's key range (night, finding_id) from the listing's night: the history
-- has no index led by the finding. Parameters: :n.
select e.entry_id, e.uscc, e.roster, e.cause_code, r.region_code,
       greatest(e.included_on, coalesce((
           select min(h.night) from findings_history as h
            where h.night > coalesce((select max(x.night) from findings_history as x
                                       where x.night >= coalesce(d.night, d.decision_date) and x.night <= :n
                                         and x.finding_id = d.facts ->> 'finding_id' and x.uscc = e.uscc
                                         and x.kind = d.facts ->> 'kind' and x.change <> 'dropped'),
                                     coalesce(d.night, d.decision_date))
              and h.night <= :n and h.finding_id = d.facts ->> 'finding_id'), f.last_night)) as trigger_date,
       (jsonb_build_object('source', 'findings', 'finding_id', d.facts ->> 'finding_id',
                          'kind', coalesce(f.kind, d.facts ->> 'kind'),
                          'found_on', coalesce(f.found_on, (d.facts ->> 'found_on')::date),
                          'doc_no', coalesce(f.doc_no, d.facts ->> 'doc_no'), 'listed_uscc', e.uscc,
                          'now_names', f.uscc, 'included_on', e.included_on,
                          'finding_reassigned', true)
       || case when f.finding_id is null then jsonb_build_object('finding_dropped', true)
               else '{}'::jsonb end)::text as facts
  from roster_entry_detail_as_of(:n) as e
  join roster_decisions as d on d.seq = e.entry_id
  left join findings as f on f.finding_id = d.facts ->> 'finding_id'
  left join registration as r on r.uscc = e.uscc
 where e.state = 'listed' and e.roster <> 'serious' and d.facts ->> 'source' = 'findings'
   and (f.uscc <> e.uscc or f.kind <> d.facts ->> 'kind'
        or (f.finding_id is null
            and exists (select 1 from findings_history as h
                         where h.night >= coalesce(d.night, d.decision_date) and h.night <= :n
                           and h.finding_id = d.facts ->> 'finding_id' and h.change = 'dropped')))
