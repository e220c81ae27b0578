-- The partitions of one night-partitioned table (migration 0026): name, bound as PostgreSQL
-- prints it (FOR VALUES FROM ('2026-07-01') TO ('2026-08-01'), or DEFAULT) and estimated rows
-- (the planner's count, as of the last ANALYZE). Parameter: :t the partitioned table.
select c.relname as partition, pg_get_expr(c.relpartbound, c.oid) as bound,
       greatest(c.reltuples, 0)::bigint as rows_estimate, pg_total_relation_size(c.oid) as bytes
  from pg_inherits as i
  join pg_class as c on c.oid = i.inhrelid
 where i.inhparent = to_regclass(:t)
 order by c.relname
