-- Penalties that open the serious-list procedure (拟列入, domain.md §4): a heavier administrative
-- penalty (较重行政处罚: the drop's flag, 44号令 art. 2 item 1, or a measure of items 2–3, :hm) in an
-- offence family of 44号令 arts. 5–10 (:f) or, since 2024-05-01, serious falsification of publicity
-- information (企业信息公示暂行条例 art. 18 para. 2; the caller checks the rule's from-date).
-- Whatever the entity's registration status: the listing is decided in the procedure of the
-- penalty, and a penalty that revokes the business licence is itself a heavier penalty (§4 item 2).
-- A penalty already revoked (revoked_on) proposes nothing; a case already in the log (a proposal,
-- or a notice of the time before the procedure) is not proposed again.
-- Parameters: :f families, :hm heavier measures, :ff facts from, :n the night.
-- ``case_key``, the procedure's key (its steps' fact keys end ':penalties:<case_key>'): the case
-- number, or '<case_no>:<uscc>' when a procedure of another entity holds the case number — the
-- penalty was corrected to name this entity (the same case_no, another USCC: contracts.md §1);
-- that entity's procedure is revoked (serious_procedures.sql penalty_reassigned_on) and this one
-- is decided on its own; '<case_no>:<uscc>:<k>' (k = 2, 3, …) when that key's procedure was itself
-- revoked so (corrected back and forth), or because a full snapshot had dropped the penalty and a
-- later one delivers it again (penalty_dropped_on). Every existing key stays as it was.
-- ``due_start``: the night the stored penalty came to qualify (rules.yaml ser.propose: proposed the
-- night it arrives, 0 days): counted from its decision, which a drop brings a night later at the
-- earliest, every proposal was late (an outsider's acceptance pass). Not its first night either: a
-- penalty that arrived light and a later night made heavier (the flag, a measure of :hm, a family of
-- :f, its decision date into range, its revocation withdrawn) could not be proposed before that
-- night, and counted from its arrival the proposal read late, weeks overdue in the deadline watch
-- (an outside review). So the earliest night of the unbroken run of qualifying versions in
-- penalties_history that ends at the current one: the nights after the last version that did not
-- qualify (each judged by this rule as of its own night) or was dropped from the store. One index
-- scan of the case's history rows (ix_penalties_history_case_night, migration 0035) per candidate; a
-- case without history rows (a store filled before its history) starts at its first night, as
-- does one that qualified from its arrival (its run begins with its 'new' row).
select p.case_no, k.case_key, p.uscc, p.decided_on as trigger_date, coalesce(q.since, p.first_night) as due_start, p.category as family,
       coalesce(r.region_code, substr(p.uscc, 3, 6)) as region_code,
       jsonb_build_object('source', 'penalties', 'case_no', p.case_no, 'uscc', p.uscc,
                          'decided_on', p.decided_on, 'doc_no', p.doc_no, 'category', p.category,
                          'measures', p.measures, 'fine_amount', p.fine_amount, 'heavier', p.heavier,
                          'restricted_until', p.restricted_until,
                          'registration_status', r.status)::text as facts
  from penalties as p
  left join registration as r using (uscc)
  left join lateral (
        select min(v.night) as since
          from (select x.night,
                       -- every version from tonight's back to this one qualified: the where clause
                       -- below, for the version as the store held it on its night
                       bool_and(x.change <> 'dropped'
                                and x.uscc = p.uscc
                                and coalesce((x.heavier or x.measures && cast(:hm as text[]))
                                             and (x.category = any(cast(:f as text[])) or x.category = 'false_disclosure')
                                             and x.decided_on >= :ff and x.decided_on <= x.night
                                             and (x.revoked_on is null or x.revoked_on > x.night), false))
                           over (order by x.night desc) as unbroken
                  from penalties_history as x
                 where x.case_no = p.case_no and x.night <= :n) as v
         where v.unbroken
       ) as q on true
  cross join lateral (
        -- the first of case_no, case_no:uscc, case_no:uscc:2, … that no other entity's procedure
        -- holds and that is not this entity's own procedure revoked because the penalty had been
        -- corrected to name another (corrected back: A → B → A); evaluated in order, most cases
        -- stop at the first
        select g.case_key
          from (select s.i, case s.i when 0 then p.case_no when 1 then p.case_no || ':' || p.uscc
                                 else p.case_no || ':' || p.uscc || ':' || s.i end as case_key
                  from generate_series(0, 20) as s(i)) as g
         where not exists (select 1 from roster_decisions as d
                            where d.fact_key = 'proposal:penalties:' || g.case_key and d.uscc <> p.uscc)
           and not exists (select 1 from roster_decisions as d
                            where d.fact_key = 'notice:penalties:' || g.case_key and d.uscc <> p.uscc)
           and not exists (select 1 from roster_decisions as v
                            where v.fact_key = 'revoke:penalties:' || g.case_key and v.facts ?| array['penalty_reassigned_on', 'penalty_dropped_on'])
           and not exists (select 1 from roster_decisions as i
                             join roster_decisions as v on v.fact_key = 'close:' || i.seq
                            where i.fact_key = 'include:serious:penalties:' || g.case_key
                              and v.facts ?| array['penalty_reassigned_on', 'penalty_dropped_on'])
         order by g.i limit 1
       ) as k
 where (p.heavier or p.measures && cast(:hm as text[]))
   and (p.category = any(cast(:f as text[])) or p.category = 'false_disclosure')
   and p.decided_on >= :ff and p.decided_on <= :n
   and (p.revoked_on is null or p.revoked_on > :n)
   -- two equality probes, not one `in (…)`: that one was a nested loop over the whole log per penalty
   and not exists (select 1 from roster_decisions as d where d.fact_key = 'proposal:penalties:' || k.case_key)
   and not exists (select 1 from roster_decisions as d where d.fact_key = 'notice:penalties:' || k.case_key)
 order by p.case_no
