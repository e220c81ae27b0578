-- The night's scope table, empty, dropped at commit (credit.night.scope): the entities the night
-- works on; a full night leaves it empty so that scoped SQL still parses.
create temporary table night_scope (uscc text primary key) on commit drop
