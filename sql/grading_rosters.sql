-- Supervision: roster state as of the night (domain.md §3 abnormal roster, §4 serious list),
-- read from the rosters area's function roster_entries_as_of(d) — our own history, never the
-- public page (domain.md trap 5).
select
    p.rn,
    bool_or(r.roster = 'abnormal') as on_abnormal,
    bool_or(r.roster = 'serious')  as on_serious
from roster_entries_as_of(:night) as r
join grading_population as p using (uscc)
where r.state = 'listed'
group by p.rn
