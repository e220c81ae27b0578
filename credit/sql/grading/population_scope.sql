-- The grading population of a scoped night (credit.night.scope, issue 11): population.sql
-- restricted to the entities of night_scope. Same columns and numbering as population.sql (keep
-- the two in step); `rn` numbers the scope's operating entities 0..n-1 in USCC order.
-- Indexed by population_index.sql when graded whole, as population.sql.
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
join night_scope as s using (uscc)
where r.status = 'operating';
analyze grading_population;
