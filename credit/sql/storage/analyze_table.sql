-- Fresh planner statistics for one table (table, a name Python formats in), inside the caller's
-- transaction: ANALYZE samples the transaction's own rows (a temporary table is never analyzed
-- by autovacuum, and a table loaded tonight is not visible to it yet).
analyze {table}
