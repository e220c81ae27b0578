-- The planner's row count of a table as its statistics last left it (0 when never analyzed).
select greatest(reltuples, 0) from pg_class where oid = to_regclass(:t)
