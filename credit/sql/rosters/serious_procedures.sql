-- The serious-list procedure of each penalty case as the log stood on :n (domain.md §4): one row
-- per case with the date (and seq, 文号) of every step taken. Steps are found by their fact keys
-- (<step>:penalties:<case_no>); the listing's by include:serious:penalties:<case_no>; the close of
-- the listing (removal or revocation) through its entry. A notice of the time before the
-- procedure (no proposal) is a case too. Optional :us restricts to those entities (null = all;
-- one entity's look-up, or a scoped night's entities: read through roster_decisions(uscc, roster)).
-- As known after night K (credit/rosters/known.py; both null = today's record): :ks is the log's
-- head after that night (decisions of higher seq were not recorded yet); :kn the night itself —
-- a statement received after it cannot have been on record then, nor a penalty's revocation
-- that reached the store on a later night (penalties_history).
-- A case's key is what follows ':penalties:' in its fact keys: the penalty's case number, or
-- '<case_no>:<uscc>' for the procedure of an entity a corrected penalty names after another
-- entity's procedure took the plain key (serious_proposal_candidates.sql); ``penalty_case_no`` is
-- the penalty's own number (from the first step's facts). ``penalty_reassigned_on``: the penalty
-- (as known then) names another entity than the case's: the night the store came to hold it so —
-- the earliest night of the versions after the last one naming the case's entity — never before
-- the case's first step (the basis is gone from then: 45号令 art. 11, domain.md §4, §6).
-- ``penalty_dropped_on``: the store no longer holds the penalty (as known then): a full penalties
-- snapshot left it out (contracts.md §1: a full file replaces the source's state; the merge wrote
-- its 'dropped' history row) — the night of that row, never before the case's first step. As for
-- a dropped finding (finding_reassigned.sql, finding_dropped): the listing's basis is no longer in
-- the authority's record. A case whose penalty the store never held (an imported decision) has
-- no such row and is left as it is.
with cases as (
    select split_part(d.fact_key, ':penalties:', 2) as case_no, min(d.seq) as first_seq
      from roster_decisions as d
     where d.roster = 'serious' and d.action in ('proposal', 'notice') and d.decision_date <= :n
       and (cast(:ks as bigint) is null or d.seq <= :ks)
       and (d.fact_key like 'proposal:penalties:%' or d.fact_key like 'notice:penalties:%')
       and (cast(:us as text[]) is null or d.uscc = any(cast(:us as text[])))
     group by 1
),
-- not materialized: each use below is a probe of the log by index (fact key, entry, request,
-- refers_to; migration 0022), never a scan of every serious-list decision per case.
step as not materialized (
    select d.* from roster_decisions as d where d.decision_date <= :n and d.roster = 'serious'
       and (cast(:ks as bigint) is null or d.seq <= :ks)
),
request as not materialized (
    select q.* from roster_requests as q
     where q.kind = 'objection' and q.received_on <= :n
       and (cast(:kn as date) is null or q.received_on <= :kn)
)
select c.case_no, f.penalty_case_no, f.uscc, f.entity_name, f.facts::text as facts, f.authority, f.authority_name,
       f.region_code, f.family,
       pr.seq as proposal_seq, pr.decision_date as proposed_on, pr.facts::text as proposal_facts,
       nt.seq as notice_seq, nt.decision_date as noticed_on, nt.decision_no as notice_no,
       (select count(*) from request as q
         where q.target_seq = nt.seq
           and not exists (select 1 from step as a where a.request_id = q.id))           as open_statements,
       (select max(q.received_on) from request as q where q.target_seq = nt.seq)        as last_statement_on,
       (select min(a.decision_date) from step as a
         where a.action = 'refuse' and a.request_id in (select q.id from roster_requests as q
                                                          where q.kind = 'objection' and q.target_seq = nt.seq)) as statements_answered_on,
       (select min(x.decision_date) from step as x where x.action = 'revoke' and x.refers_to = nt.seq) as notice_revoked_on,
       ass.seq as assess_seq, ass.decision_date as assessed_on, ass.facts::text as assess_facts, ass.actor as assessor,
       con.seq as consent_seq, con.decision_date as consent_recorded_on, con.facts::text as consent_facts,
       dec.decision_date as declined_on, dec.decision_no as decline_no,
       inc.seq as include_seq, inc.entry_id, inc.decision_date as included_on, inc.decision_no as include_no,
       inc.effective_until, inc.facts::text as include_facts,
       pub.decision_date as published_on,
       rvp.decision_date as proposal_revoked_on, rvp.decision_no as proposal_revoke_no,
       clo.decision_date as closed_on, clo.action as closed_by, clo.decision_no as close_no,
       pen.revoked_on as penalty_revoked_on, pen.restricted_until, pen.decided_on as penalty_decided_on,
       pen.uscc as penalty_uscc,
       case when pen.uscc <> f.uscc then greatest(f.first_on, coalesce((
           select min(h.night) from penalties_history as h
            where h.case_no = f.penalty_case_no and h.night <= coalesce(cast(:kn as date), :n)
              and h.night > coalesce((select max(x.night) from penalties_history as x
                                       where x.case_no = f.penalty_case_no and x.uscc = f.uscc
                                         and x.night <= coalesce(cast(:kn as date), :n)), f.first_on)),
           pen.last_night)) end as penalty_reassigned_on,
       case when coalesce(pen0.dropped, true) then (
           select greatest(f.first_on, max(h.night)) from penalties_history as h
            where h.case_no = f.penalty_case_no and h.change = 'dropped'
              and h.night <= coalesce(cast(:kn as date), :n)
           having count(*) > 0) end as penalty_dropped_on
  from cases as c
  join lateral (select d.uscc, r.name as entity_name, d.facts, d.authority, d.authority_name,
                       coalesce(d.facts ->> 'case_no', c.case_no) as penalty_case_no,
                       coalesce(d.night, d.decision_date) as first_on,
                       d.facts ->> 'category' as family,
                       coalesce(r.region_code, d.authority) as region_code
                  from roster_decisions as d left join registration as r on r.uscc = d.uscc
                 where d.seq = c.first_seq) as f on true
  left join step as pr  on pr.fact_key = 'proposal:penalties:' || c.case_no and pr.action = 'proposal'
  left join step as nt  on nt.fact_key = 'notice:penalties:' || c.case_no and nt.action = 'notice'
  left join step as ass on ass.fact_key = 'assess:penalties:' || c.case_no
  left join step as con on con.fact_key = 'consent:penalties:' || c.case_no
  left join step as dec on dec.fact_key = 'decline:penalties:' || c.case_no
  left join step as inc on inc.fact_key = 'include:serious:penalties:' || c.case_no and inc.action = 'include'
  left join step as pub on pub.fact_key = 'publish:penalties:' || c.case_no
  left join step as rvp on rvp.fact_key = 'revoke:penalties:' || c.case_no
  left join lateral (select x.decision_date, x.action, x.decision_no from step as x
                      where x.entry_id = inc.entry_id and x.action in ('remove', 'revoke')
                      order by x.decision_date, x.seq limit 1) as clo on true
  -- the penalty as the store held it after night :kn (its latest history row up to then, index
  -- (case_no, night), migration 0035): a revocation delivered on a later night was not on record,
  -- whatever its date; a case without history rows by its current row, its revocation dated by then
  left join lateral (
        select p.revoked_on, p.restricted_until, p.decided_on, p.uscc, p.last_night, false as dropped
          from penalties as p
         where p.case_no = f.penalty_case_no
           and (cast(:kn as date) is null
                or not exists (select 1 from penalties_history as x where x.case_no = f.penalty_case_no))
        union all
        select h.revoked_on, h.restricted_until, h.decided_on, h.uscc, h.night, h.change = 'dropped'
          from (select x.* from penalties_history as x
                 where cast(:kn as date) is not null and x.case_no = f.penalty_case_no and x.night <= :kn
                 order by x.night desc limit 1) as h
       ) as pen0 on true
  left join lateral (select pen0.restricted_until, pen0.decided_on, pen0.uscc, pen0.last_night,
                            case when cast(:kn as date) is null or pen0.revoked_on <= :kn
                                 then pen0.revoked_on end as revoked_on) as pen on true
 order by c.first_seq
