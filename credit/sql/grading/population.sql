-- Who is graded tonight (domain.md §7; issue 5): registered entities whose status is operating.
-- Cancelled / revoked / moved-out entities are not graded. `rn` numbers the population in USCC
-- order so that every indicator family can return only the rows it has facts for and the
-- Python side scatters them into full-length columns (no join on text keys in pandas).
drop table if exists grading_population;
create temporary table grading_population on commit drop as
select
    (row_number() over (order by r.uscc) - 1)::bigint as rn,
    r.uscc,
    r.entity_kind,
    r.region_code,
    r.industry_code,
    r.registered_capital,
    r.established_on,
    r.legal_rep_hash
from registration as r
where r.status = 'operating';
create index on grading_population (uscc);
create index on grading_population (legal_rep_hash);
analyze grading_population;
