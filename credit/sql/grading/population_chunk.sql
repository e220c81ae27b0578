-- One chunk of the night's grading population (issue 11: memory bounded by chunks, not by the
-- province): rows :a ≤ rn < :b of grading_everyone (the whole population, population.sql or
-- population_scope.sql, renamed), numbered again from 0 so that the families scatter into
-- chunk-length columns. Same columns as population.sql.
-- grading_everyone is indexed by rn (credit.grading.indicators.chunk_population): a chunk is a
-- range scan of its rows, not a scan of the whole population per chunk.
--
-- A chunk is indexed by USCC only (operations.sql's merge join reads it in USCC order). Not by
-- legal representative: relations.sql, the only statement of a chunk that joins by it, hashes the
-- few flagged entities (grading_flagged: 1,558 at 1 M) and reads the chunk whole, and
-- night_facts_scope.sql reads the population before it is cut into chunks. At 1 M, a chunk of
-- 200,000 (backend CPU from /proc, 3 chunks): that index built in 0.23–0.25 s, against 0.11–0.12 s
-- for the USCC one, 0.19–0.23 s for the table and 0.17–0.23 s for its analyze: a third of the
-- chunk's server time, for an index no plan read (EXPLAIN ANALYZE of relations.sql: Hash Join,
-- Seq Scan on the chunk).
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
analyze grading_population;
