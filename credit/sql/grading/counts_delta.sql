-- Tonight's report counts from the previous graded night's and what changed since (credit.grading
-- .counts, issue 11): an entity counts under (region, section, tier) of its registration and its
-- grade; both can only change for the entities whose grade range opened or closed tonight (a grade
-- given, changed or lost: grade_ranges(valid_from), grade_ranges(valid_to)) or whose registration
-- changed after :prev (registration_history: new, changed, dropped). Each such entity leaves its
-- cell of :prev (its range in force on :prev, its registration as of :prev: the latest history
-- row up to :prev, or the current row when it has none since) and joins its cell of tonight.
-- Fills the temporary grade_counts_tonight (cell, n: may hold a 0 or, were the store inconsistent,
-- a negative — the caller checks before storing). Parameters: :night, :prev.
drop table if exists grade_counts_tonight;
create temporary table grade_counts_tonight on commit drop as
with
changed as (
    select g.uscc from grade_ranges as g where g.valid_from = :night
    union
    select g.uscc from grade_ranges as g where g.valid_to = :night
    union
    select h.uscc from registration_history as h where h.night > :prev and h.night <= :night
),
registered_before as (
    -- the registration each changed entity had on :prev ('未知' when it had none)
    select c.uscc,
           case when moved.uscc is null then r.region_code
                when h.change <> 'dropped' then h.region_code end as region_code,
           case when moved.uscc is null then r.industry_code
                when h.change <> 'dropped' then h.industry_code end as industry_code
      from changed as c
      left join registration as r using (uscc)
      left join lateral (select x.uscc from registration_history as x
                          where x.uscc = c.uscc and x.night > :prev and x.night <= :night limit 1) as moved on true
      left join lateral (select x.change, x.region_code, x.industry_code from registration_history as x
                          where x.uscc = c.uscc and x.night <= :prev order by x.night desc limit 1) as h on true
),
cells as (
    select region_code, section, grade, n from grade_counts where night = :prev
    union all
    select coalesce(b.region_code, '未知'), coalesce(left(b.industry_code, 1), '未知'), g.grade, -1
      from registered_before as b
      join grade_ranges as g
        on g.uscc = b.uscc and g.valid_from <= :prev and (g.valid_to is null or g.valid_to > :prev)
    union all
    select coalesce(r.region_code, '未知'), coalesce(left(r.industry_code, 1), '未知'), g.grade, 1
      from changed as c
      join grade_ranges as g on g.uscc = c.uscc and g.valid_to is null
      left join registration as r on r.uscc = c.uscc
)
select region_code, section, grade, sum(n)::bigint as n
  from cells
 group by 1, 2, 3;
analyze grade_counts_tonight;
