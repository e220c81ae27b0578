-- credit.bulk.load_then_index.
-- The indexes of one table (:table, a name the search path resolves) that a bulk load into the
-- empty table may drop and build again after the rows are in (issue 11: building a b-tree from the
-- loaded rows is a sort; keeping it during the load is one descent per row). With each index its
-- definition (CREATE INDEX …, the same name) and the primary-key or unique constraint it backs.
-- `blocked`: the table must keep its indexes while loading — a foreign key refers to it, a
-- constraint other than a primary key or unique one (an exclusion constraint) owns an index, or
-- the loading role does not own it (credit_writer, which runs the nights in production, owns no
-- table, migration 0013: it loads with the indexes in place rather than failing).
-- `may_truncate`: the (empty) table may be truncated before the load, to load into storage new in
-- the transaction — not when a trigger guards it against TRUNCATE (the append-only tables).
select i.indexrelid::regclass::text                  as index_name,
       pg_get_indexdef(i.indexrelid)                 as definition,
       c.conname                                     as constraint_name,
       c.contype::text                               as constraint_kind,
       exists (select from pg_constraint as f where f.confrelid = i.indrelid and f.contype = 'f')
           or (c.contype is not null and c.contype not in ('p', 'u'))
           or not pg_has_role(current_user, t.relowner, 'USAGE')
                                                     as blocked,
       not exists (select from pg_trigger as g
                    where g.tgrelid = i.indrelid and (g.tgtype & 32) <> 0)
                                                     as may_truncate
  from pg_index as i
  join pg_class as t on t.oid = i.indrelid
  left join pg_constraint as c on c.conindid = i.indexrelid and c.conrelid = i.indrelid
 where i.indrelid = cast(:table as regclass)
 order by 1
