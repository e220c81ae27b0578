-- Drop one table (table, a name Python formats in) when it exists: a temporary table made again.
drop table if exists {table}
