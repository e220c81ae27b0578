-- Supervision: administrative penalties still in use on the night (domain.md §5.3: repaired
-- information is no longer used; §5.1, §6: publicity stops when its window is over). A penalty
-- counts only while its publicity window as the night computed it (penalty_publicity, the latest
-- row by the night) covers the night, it was not revoked, and no repair decision (信用修复, roster
-- 'penalty' of the log) stopped it. Warning-only decisions are never published (45号令 art. 2)
-- and do not count. A penalty is 较重行政处罚 (domain.md §4, 44号令 art. 2) when the drop's `heavier`
-- flag says so (item 1, the 从重 fine) or one of its measures is one of :hm (items 2–3: rosters.yaml
-- heavier_measures, as the serious list's proposals and the publicity classes read them).
-- A penalty is unfulfilled (处罚决定尚未履行完毕) while the party has not performed it: performed on
-- the drop's fulfilled_on, or on its decision day when every measure is one of :complete (a warning,
-- a notice of criticism: nothing left to perform; credit.penalties.performance, domain.md §5.2, §6
-- art. 14 para. 1 item (1)) — the test penalty repair and the serious list's early removal make
-- (sql/penalties/pending_repairs.sql, sql/rosters/removal_candidates.sql). Before, a criticism with
-- an empty fulfilled_on counted 10 points for its whole window (outsider's pass).
-- :ranged = 1: the population is one chunk of several, a contiguous USCC range (issue 11); the
-- fact tables are read between its first and last USCC by their uscc index, :lo and :hi (values
-- read once per chunk, credit.grading.indicators.chunk_bounds: the planner sees the range). 0: the
-- condition folds away when planned (whole or scoped population). The publicity window is looked up
-- case by case in every mode (before: computed for every case of the province, per chunk).
select
    p.rn,
    count(*)                                          as penalties,
    count(*) filter (where x.heavier or x.measures && cast(:hm as text[])) as heavier_penalties,
    coalesce(sum(x.fine_amount), 0)                   as fines_total,
    count(*) filter (where coalesce(x.fulfilled_on,
                                    case when cardinality(x.measures) > 0
                                          and x.measures <@ cast(:complete as text[]) then x.decided_on end)
                           is null)                   as penalties_unfulfilled
from penalties as x
join grading_population as p using (uscc)
-- the case's window as the latest night by :night computed it (primary key (case_no, night)):
-- read case by case, so a chunk reads the windows of its own cases only
cross join lateral (
    select pw.published, pw.publicity_from, pw.publicity_until, pw.revoked_on
      from penalty_publicity as pw
     where pw.case_no = x.case_no and pw.night <= :night
     order by pw.night desc
     limit 1
) as w
where (:ranged = 0 or x.uscc between :lo and :hi)
  and w.published
  and w.publicity_from <= :night and :night <= w.publicity_until
  and (w.revoked_on is null or w.revoked_on > :night)
  and not exists (select 1 from roster_decisions as d
                   where d.uscc = x.uscc and d.roster = 'penalty' and d.action = 'remove'
                     and d.facts ->> 'case_no' = x.case_no and d.decision_date <= :night)
group by p.rn
