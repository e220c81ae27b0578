-- Whether one table (table, a name Python formats in) holds any row.
select exists (select from {table})
