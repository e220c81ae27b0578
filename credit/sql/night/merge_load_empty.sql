-- The stage (a table, or a query with the caller's parameters) into an empty current table, every
-- row new tonight, sorted by key (credit.night.merge._load_empty, issue 11). Formatted by Python:
-- the current table, the source's columns, the stage, the key's columns. Parameter: night.
insert into {name} ({columns}, first_night, last_night) select {columns}, %(night)s, %(night)s from {stage} order by {key}
