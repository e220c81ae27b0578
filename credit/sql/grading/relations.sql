-- Relations (关联): other entities behind the same legal representative (registration.legal_rep_hash)
-- that are on the serious list tonight, or were tier D on the previous graded night (the previous
-- night, not tonight, so the night stays a single pass). domain.md §3.6, §7.
with
serious as (
    select distinct r.uscc
    from roster_entries_as_of(:night) as r
    where r.roster = 'serious' and r.state = 'listed'
),
prev_d as (
    -- the ranges in force on the previous graded night (grade_ranges, migration 0015)
    select g.uscc
    from grade_ranges as g,
         (select max(night) as night from grading_runs where night < :night) as p
    where g.valid_from <= p.night and (g.valid_to is null or g.valid_to > p.night)
      and g.grade = 'D'
),
flagged as (
    select reg.uscc, reg.legal_rep_hash, (s.uscc is not null) as is_serious, (d.uscc is not null) as is_d
    from registration as reg
    left join serious as s using (uscc)
    left join prev_d as d using (uscc)
    where reg.legal_rep_hash is not null
      and (s.uscc is not null or d.uscc is not null)
)
select
    p.rn,
    count(*) filter (where f.is_serious) as related_serious,
    count(*) filter (where f.is_d)       as related_d
from grading_population as p
join flagged as f
  on f.legal_rep_hash = p.legal_rep_hash and f.uscc <> p.uscc
group by p.rn
