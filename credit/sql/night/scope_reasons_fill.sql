-- The distinct entities of the scope's reasons table into the night's scope
-- (credit.night.scope.of_query).
insert into night_scope select distinct uscc from night_scope_reasons where uscc is not null on conflict do nothing
