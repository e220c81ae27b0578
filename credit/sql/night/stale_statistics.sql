-- Tables of this schema whose rows changed by more than a tenth since they were last analyzed
-- (autovacuum's own analyze threshold, 50 rows + 10 %, with a floor of 1,000 rows): after a night
-- that loaded a province, the next statements must not be planned on an empty table's statistics.
select format('%I.%I', s.schemaname, s.relname) as name
  from pg_stat_user_tables as s
  join pg_class as c on c.oid = s.relid
 where s.schemaname = current_schema()
   and s.n_mod_since_analyze > greatest(1000, 0.1 * greatest(c.reltuples, 0))
 order by 1
