-- One chunk of the night's grading population (issue 11: memory bounded by chunks, not by the
-- province): rows :a ≤ rn < :b of grading_everyone (the whole population, population.sql or
-- population_scope.sql, renamed), numbered again from 0 so that the families scatter into
-- chunk-length columns. Same columns as population.sql.
-- grading_everyone is indexed by rn (credit.grading.indicators.chunk_population): a chunk is a
-- range scan of its rows, not a scan of the whole population per chunk.
drop table if exists grading_population;
create temporary table grading_population on commit drop as
select
    rn - :a as rn,
    uscc,
    entity_kind,
    region_code,
    industry_code,
    registered_capital,
    established_on,
    legal_rep_hash
from grading_everyone
where rn >= :a and rn < :b;
create index on grading_population (uscc);
create index on grading_population (legal_rep_hash);
analyze grading_population;
