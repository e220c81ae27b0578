-- How many rows one table (table, a name Python formats in) holds.
select count(*) from {table}
