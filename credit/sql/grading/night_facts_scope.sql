-- night_facts.sql for a scoped night's population (credit.night.scope, issue 11): the same two
-- tables, holding the rows the population's families read, found through indexes instead of
-- folding the whole roster log and reading every registration:
--
-- grading_related  — the registered entities sharing a legal representative with an entity of
--                    grading_population (registration(legal_rep_hash): one probe per representative);
-- grading_listed   — roster state as of the night (domain.md §3, §4; trap 5: our own history) of
--                    the population and grading_related, by roster_entry_detail_of(us, d)
--                    (migration 0015: the fold of roster_entries_as_of for those entities only);
-- grading_flagged  — grading_related's entities on the serious list tonight or tier D on the
--                    previous graded night (domain.md §3.6, §7). relations.sql joins the population
--                    to it by legal representative, so an entity behind another representative
--                    never matched: the rows it reads are those of night_facts.sql.
-- Keep the columns and meanings in step with night_facts.sql.
drop table if exists grading_related;
create temporary table grading_related on commit drop as
select reg.uscc, reg.legal_rep_hash
from registration as reg
where reg.legal_rep_hash in (select p.legal_rep_hash from grading_population as p where p.legal_rep_hash is not null);
analyze grading_related;

drop table if exists grading_listed;
create temporary table grading_listed on commit drop as
select
    r.uscc,
    bool_or(r.roster = 'abnormal')                        as on_abnormal,
    bool_or(r.roster = 'abnormal_status')                 as marked_abnormal,
    bool_or(r.roster = 'serious')                         as on_serious
from roster_entry_detail_of(array(select p.uscc from grading_population as p
                                  union
                                  select x.uscc from grading_related as x), :night) as r
where r.state = 'listed'
group by r.uscc;
create index on grading_listed (uscc);
analyze grading_listed;

drop table if exists grading_flagged;
create temporary table grading_flagged on commit drop as
with
prev_night as (select max(night) as night from grading_runs where night < :night),
prev_d as (
    -- the ranges in force on the previous graded night, of grading_related: a probe of
    -- grade_ranges(uscc, valid_from) per entity (lateral: a join was planned over every range)
    select x.uscc
    from grading_related as x
    cross join prev_night as p
    cross join lateral (select 1 from grade_ranges as g
                         where g.uscc = x.uscc and g.valid_from <= p.night
                           and (g.valid_to is null or g.valid_to > p.night) and g.grade = 'D'
                         limit 1) as d
)
select reg.uscc, reg.legal_rep_hash,
       coalesce(s.on_serious, false) as is_serious,
       (d.uscc is not null)          as is_d
from grading_related as reg
left join grading_listed as s using (uscc)
left join prev_d as d using (uscc)
where coalesce(s.on_serious, false) or d.uscc is not null;
create index on grading_flagged (legal_rep_hash);
analyze grading_flagged;
