-- Whether this connection's role may truncate a source's staging table. The owner may;
-- credit_writer, which runs the nights in production (docs/deploy.md §3), may not: the grants of
-- role_table_grants name select, insert, update and delete only (migration 0046). The night then
-- clears the table by delete (credit.night.staging.clear_published), and autovacuum returns the space.
select has_table_privilege(cast(:t as regclass), 'truncate')
