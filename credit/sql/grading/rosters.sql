-- Supervision: roster state as of the night (domain.md §3 abnormal roster, §4 serious list) of the
-- population's entities, from grading_listed (night_facts.sql: roster_entries_as_of(d), our own
-- history, never the public page, domain.md trap 5; a 个体工商户's abnormal_status marking is
-- marked_abnormal, apart from the roster, §2).
-- :ranged = 1: the population is one chunk of several, a contiguous USCC range (issue 11); the
-- fact tables are read between its first and last USCC by their uscc index, :lo and :hi (values
-- read once per chunk, credit.grading.indicators.chunk_bounds: the planner sees the range). 0: the
-- condition folds away when planned (whole or scoped population, plans unchanged).
select
    p.rn,
    l.on_abnormal,
    l.marked_abnormal,
    l.on_serious
from grading_listed as l
join grading_population as p using (uscc)
where (:ranged = 0 or l.uscc between :lo and :hi)
