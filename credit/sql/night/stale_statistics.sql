-- Tables of this schema whose statistics count a tenth more or fewer rows than the table holds
-- (with a floor of 1,000 rows; a table never analyzed counts none): after a night that loaded a
-- province, the next statements must not be planned on an empty table's statistics. A table the
-- night analyzed inside its transaction, after loading it (credit.night.merge), is counted right
-- already. Not autovacuum's own test, changes since the last ANALYZE: such an ANALYZE leaves
-- them counted (the transaction's changes reach the statistics only at its commit), so every
-- later night would analyze the table again.
select format('%I.%I', s.schemaname, s.relname) as name
  from pg_stat_user_tables as s
  join pg_class as c on c.oid = s.relid
 where s.schemaname = current_schema()
   and abs(s.n_live_tup - greatest(c.reltuples, 0)) > greatest(1000, 0.1 * greatest(c.reltuples, 0))
 order by 1
