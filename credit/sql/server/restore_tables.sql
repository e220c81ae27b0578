-- How many tables the target database of a restore holds outside the system schemas; any is
-- refused: a restore goes into a new database (credit.backup.restore).
select count(*) from pg_tables where schemaname not in ('pg_catalog', 'information_schema')
