-- Supervision: roster state as of the night (domain.md §3 abnormal roster, §4 serious list),
-- read from the rosters area's function roster_entries_as_of(d) — our own history, never the
-- public page (domain.md trap 5). A 个体工商户 marked abnormal (abnormal_status, domain.md §2) counts as
-- on the abnormal roster: local notices show both as 失信 (domain.md §7).
select
    p.rn,
    bool_or(r.roster in ('abnormal', 'abnormal_status')) as on_abnormal,
    bool_or(r.roster = 'serious')  as on_serious
from roster_entries_as_of(:night) as r
join grading_population as p using (uscc)
where r.state = 'listed'
group by p.rn
