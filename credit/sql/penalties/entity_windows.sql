-- Penalties of the entity :u with their publicity window as known after night
-- :k (and the penalty's own columns as held then) and the repair decision (信用修复) of the log up to seq :s, decided by :d (domain.md §5, §6).
-- A case is the entity's while its latest window (as known after :k) names it: a penalty corrected to
-- name another entity (the same case_no, contracts.md §1) appends a window naming that one
-- (credit.penalties.store.COMPARED), and from that night on it is no longer this entity's penalty —
-- not shown, published or open to its repair application (domain.md §5, §6). A probe of the
-- primary key (case_no, night) per case.
with w as (
    select m.* from (
        select distinct on (x.case_no) x.*
          from penalty_publicity as x
         where (cast(:k as date) is null or x.night <= :k)
           and x.uscc = :u
         order by x.case_no, x.night desc) as m
     where not exists (select 1 from penalty_publicity as y
                        where y.case_no = m.case_no and y.night > m.night
                          and (cast(:k as date) is null or y.night <= :k) and y.uscc <> m.uscc)
), rep as (
    select distinct on (d.facts ->> 'case_no') d.facts ->> 'case_no' as case_no, d.decision_date, d.decision_no
      from roster_decisions as d
     where d.roster = 'penalty' and d.action = 'remove' and d.decision_date <= :d
       and (cast(:s as bigint) is null or d.seq <= :s)
       and d.uscc = :u
     order by d.facts ->> 'case_no', d.seq
)
select w.case_no, w.uscc, w.decided_on, w.regime, w.class, w.published, w.publicity_from, w.publicity_until,
       w.repair_from, w.repair_note, w.revoked_on, w.withdrawn_on, w.withdraw_due, w.basis,
       p.doc_no, p.category, p.measures, p.fine_amount, p.fulfilled_on,
       rep.decision_date as repaired_on, rep.decision_no as repair_no
  from w
  -- the penalty as the store held it after night :k (its latest history row up to K, index
  -- (case_no, night), migration 0035): a fine corrected or a fulfilment delivered on a later night
  -- does not show at --known-at K (contracts.md §2); a case without history rows by its current row
  left join lateral (
        select c.doc_no, c.category, c.measures, c.fine_amount, c.fulfilled_on
          from penalties as c
         where c.case_no = w.case_no
           and (cast(:k as date) is null
                or not exists (select 1 from penalties_history as x where x.case_no = w.case_no))
        union all
        select h.doc_no, h.category, h.measures, h.fine_amount, h.fulfilled_on
          from (select x.* from penalties_history as x
                 where cast(:k as date) is not null and x.case_no = w.case_no and x.night <= :k
                 order by x.night desc limit 1) as h
       ) as p on true
  left join rep using (case_no)
 where w.decided_on <= :d
 order by w.uscc, w.decided_on, w.case_no
