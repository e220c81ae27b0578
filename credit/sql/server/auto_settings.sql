-- The settings ALTER SYSTEM has written (postgresql.auto.conf), name and value (credit.db.tune_embedded).
select name, setting from pg_file_settings where sourcefile like '%postgresql.auto.conf'
