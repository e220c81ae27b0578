-- Supervision: administrative penalties still in use on the night (domain.md §5.3: repaired
-- information is no longer used; §5.1, §6: publicity stops when its window is over). A penalty
-- counts only while its publicity window as the night computed it (penalty_publicity, the latest
-- row by the night) covers the night, it was not revoked, and no repair decision (信用修复, roster
-- 'penalty' of the log) stopped it. Warning-only decisions are never published (45号令 art. 2)
-- and do not count. `heavier` is 较重行政处罚 (domain.md §4).
with w as (
    select distinct on (pw.case_no) pw.case_no, pw.published, pw.publicity_from, pw.publicity_until, pw.revoked_on
      from penalty_publicity as pw
     where pw.night <= :night
     order by pw.case_no, pw.night desc
)
select
    p.rn,
    count(*)                                          as penalties,
    count(*) filter (where x.heavier)                 as heavier_penalties,
    coalesce(sum(x.fine_amount), 0)                   as fines_total,
    count(*) filter (where x.fulfilled_on is null)    as penalties_unfulfilled
from penalties as x
join w using (case_no)
join grading_population as p using (uscc)
where w.published
  and w.publicity_from <= :night and :night <= w.publicity_until
  and (w.revoked_on is null or w.revoked_on > :night)
  and not exists (select 1 from roster_decisions as d
                   where d.uscc = x.uscc and d.roster = 'penalty' and d.action = 'remove'
                     and d.facts ->> 'case_no' = x.case_no and d.decision_date <= :night)
group by p.rn
