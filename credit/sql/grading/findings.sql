-- Supervision: findings (核查结果) still open — an adverse finding within the window that no cure
-- of the same cause established on or after it answers; these are roster causes 2–4 of domain.md
-- §3.1. The cures are the rosters' own (view cure_events, domain.md §3.3, §3.4): the curing finding
-- (unreachable ↔ contact restored, false disclosure ↔ corrected, ordered disclosure overdue ↔
-- done; table cure_kinds) and, for unreachability, a registered change of address (已变更登记住所).
-- Before, only the curing finding counted: an entity the roster removed for its new address kept
-- OPEN_FINDINGS for the window's three years (outsider's pass bb5).
-- :ranged = 1: the population is one chunk of several, a contiguous USCC range (issue 11); the
-- fact tables are read between its first and last USCC by their uscc index, :lo and :hi (values
-- read once per chunk, credit.grading.indicators.chunk_bounds: the planner sees the range). 0: the
-- condition folds away when planned (whole or scoped population, plans unchanged).
select p.rn, count(*) as open_findings
from findings as f
join cure_kinds as k on k.finding_kind = f.kind
join grading_population as p using (uscc)
where (:ranged = 0 or f.uscc between :lo and :hi)
  -- within the look-back: :finding_years from found_on end at 24:00 on the corresponding day
  -- (民法典 arts. 201, 202, domain.md §12; PostgreSQL gives 28 February for a 29 February, as
  -- art. 202 does), so the finding counts through that night
  and f.found_on >= (:night - make_interval(years => :finding_years))::date - 1   -- the same, on the column (a superset)
  and :night <= (f.found_on + make_interval(years => :finding_years))::date
  -- an ordered disclosure period whose last day (found_on) is a rest day runs on to the next working
  -- day (民法典 art. 203, domain.md §3.2, §12): not overdue before then. :running_from is the first
  -- such last day still running tonight (credit.grading.indicators.ordered_periods_running_from).
  and not (f.kind = 'ordered_disclosure_overdue' and f.found_on >= :running_from)
  and not exists (
      select 1
      from findings as c
      where c.uscc = f.uscc
        and c.found_on >= f.found_on
        and c.kind = k.cure_kind
  )
  -- a scalar subquery per adverse finding (a few per entity): its uscc reaches the view's window
  -- over registration_history (partitioned by uscc), which an anti-join would sort whole
  and not (k.cure_change is not null
           and coalesce((select max(c.cured_on) from cure_events as c
                          where c.uscc = f.uscc and c.cause_code = k.cause_code and c.source = 'registration'),
                        date '-infinity') >= f.found_on)
group by p.rn
