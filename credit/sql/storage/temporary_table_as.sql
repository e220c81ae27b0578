-- A temporary table (table), dropped at commit, of the rows of a query (query, the text of
-- another file, with that file's bind parameters), both formatted in by Python.
create temporary table {table} on commit drop as
{query}
