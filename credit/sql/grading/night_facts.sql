-- Facts of the night that every chunk of the grading population reads (issue 11: computed once a
-- night, not once per chunk; credit.grading.indicators.create_night_facts):
--
-- grading_listed   — roster state as of the night (domain.md §3 abnormal roster, §4 serious list),
--                    from the rosters area's function roster_entries_as_of(d): our own history,
--                    never the public page (domain.md trap 5). A 个体工商户 marked abnormal
--                    (abnormal_status, domain.md §2) is marked_abnormal, not on_abnormal: it is
--                    never on the roster, and its reason and advice say so (grading.yaml
--                    ABNORMAL_STATUS, same floor). One row per entity with a listed entry.
-- grading_flagged  — entities with a legal representative that are on the serious list tonight or
--                    were tier D on the previous graded night (the previous night, not tonight, so
--                    the night stays a single pass), for the relations family (domain.md §3.6, §7).
drop table if exists grading_listed;
create temporary table grading_listed on commit drop as
select
    r.uscc,
    bool_or(r.roster = 'abnormal')                        as on_abnormal,
    bool_or(r.roster = 'abnormal_status')                 as marked_abnormal,
    bool_or(r.roster = 'serious')                         as on_serious
from roster_entries_as_of(:night) as r
where r.state = 'listed'
group by r.uscc;
create index on grading_listed (uscc);
analyze grading_listed;

drop table if exists grading_flagged;
create temporary table grading_flagged on commit drop as
with
prev_d as (
    -- the ranges in force on the previous graded night (grade_ranges, migration 0015)
    select g.uscc
    from grade_ranges as g,
         (select max(night) as night from grading_runs where night < :night) as p
    where g.valid_from <= p.night and (g.valid_to is null or g.valid_to > p.night)
      and g.grade = 'D'
)
select reg.uscc, reg.legal_rep_hash,
       coalesce(s.on_serious, false) as is_serious,
       (d.uscc is not null)          as is_d
from registration as reg
left join grading_listed as s using (uscc)
left join prev_d as d using (uscc)
where reg.legal_rep_hash is not null
  and (coalesce(s.on_serious, false) or d.uscc is not null);
create index on grading_flagged (legal_rep_hash);
analyze grading_flagged;
