-- How many tables a restore left in the database's schema (credit.backup.restore).
select count(*) from pg_tables where schemaname = current_schema()
