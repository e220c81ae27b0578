-- The indexes the families read a population graded whole through (population.sql,
-- population_scope.sql): by USCC (the fact tables joined to it) and by legal representative
-- (relations.sql, night_facts_scope.sql). A population graded by chunks is not indexed whole:
-- population_chunk.sql indexes each chunk by USCC (credit.grading.indicators.create_population).
create index on grading_population (uscc);
create index on grading_population (legal_rep_hash);
