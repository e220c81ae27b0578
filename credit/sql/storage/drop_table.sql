-- Drop one table (table, a name Python formats in), a temporary table done with before commit.
drop table {table}
