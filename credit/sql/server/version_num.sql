-- The server's version as a number (170000 and up: PostgreSQL 17; credit.db.create_database_if_missing).
show server_version_num
