-- The server reads its configuration files again (credit.db.tune_embedded).
select pg_reload_conf()
