-- Whether the server has a database named :d (credit.db.create_database_if_missing).
select 1 from pg_database where datname = :d
