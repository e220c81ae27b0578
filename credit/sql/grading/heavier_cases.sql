-- The case numbers of entity :u's heavier penalties (较重行政处罚, domain.md §4) as night :n counted
-- them in the grading's heavier_penalties indicator (grading/penalties.sql: the `heavier` flag, or a
-- measure of :hm, the night's rosters.yaml heavier_measures); their publicity windows and states are
-- read by credit.penalties.read.penalties_of (credit.grading.read: what would move HEAVIER_PENALTY
-- up, per penalty).
-- As the store held each penalty after night :n, not as it holds it now: a later drop that corrects
-- the flag or the measures changes the later nights' grades, not the advice on this night's (every
-- output re-derives from the input snapshot that produced it). The cases: those the night had a
-- publicity window for (the grading counts no other; ix_penalty_publicity_uscc); each case's facts:
-- its latest penalties_history row by :n (ix_penalties_history_case_night, migration 0035; a
-- 'dropped' row: gone from the store that night), or, for a case without history rows (a store
-- filled before its history), its current row if it was stored by :n — as sql/penalties/entity_windows.sql.
select w.case_no
  from (select distinct pw.case_no from penalty_publicity as pw where pw.uscc = :u and pw.night <= :n) as w
 cross join lateral (
        select h.change, h.uscc, h.heavier, h.measures
          from penalties_history as h
         where h.case_no = w.case_no and h.night <= :n
         order by h.night desc
         limit 1
       ) as v
 where v.change <> 'dropped' and v.uscc = :u and (v.heavier or v.measures && cast(:hm as text[]))
union
select p.case_no
  from penalties as p
 where p.uscc = :u and p.first_night <= :n and (p.heavier or p.measures && cast(:hm as text[]))
   and not exists (select 1 from penalties_history as h where h.case_no = p.case_no)
