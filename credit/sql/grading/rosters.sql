-- Supervision: roster state as of the night (domain.md §3 abnormal roster, §4 serious list) of the
-- population's entities, from grading_listed (night_facts.sql: roster_entries_as_of(d), our own
-- history, never the public page, domain.md trap 5; abnormal_status counts as abnormal, §2, §7).
select
    p.rn,
    l.on_abnormal,
    l.on_serious
from grading_listed as l
join grading_population as p using (uscc)
