-- Who is graded tonight (domain.md §7; issue 5): registered entities whose status is operating.
-- Cancelled / revoked / moved-out entities are not graded. `rn` numbers the population in USCC
-- order so that every indicator family can return only the rows it has facts for and the
-- Python side scatters them into full-length columns (no join on text keys in pandas).
-- Indexed by population_index.sql when graded whole (credit.grading.indicators.create_population):
-- a population graded by chunks is read by rn only (population_chunk.sql), each chunk indexed.
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
analyze grading_population;
