-- A condition, not a statement (its comment lines are left out where it is used): the staged rows
-- r of a region partition's scope, for a source whose key does not hold the USCC
-- (credit.night.staging._rows_of). Those naming one of the region's entities, and those replacing
-- a stored row t of the source's table (joined on its key) that names one. Formatted by Python:
-- the condition on r, the source's table, the join on its key, the condition on t.
({scoped}) or exists (select 1 from {store} as t where {key} and {stored})
