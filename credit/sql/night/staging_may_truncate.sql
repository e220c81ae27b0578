-- Whether this connection's role may truncate a source's staging table. The owner may, and so may
-- credit_writer, which runs the nights in production (docs/deploy.md §3), since migration 0049
-- (before it, migration 0046's grants named select, insert, update and delete only). A role that
-- may not clears the table by delete (credit.night.staging.clear_published) and autovacuum returns
-- the space.
select has_table_privilege(cast(:t as regclass), 'truncate')
