-- A database for the URL (credit.db.create_database_if_missing). Formatted by Python: its name
-- (quoted here), then nothing or the code-point locale (server/code_point_locale.sql).
create database "{name}"{locale}
