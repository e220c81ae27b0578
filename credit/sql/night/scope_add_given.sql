-- The given entities (:u, USCCs) into the night's scope (credit.night.scope.of_entities).
insert into night_scope select unnest(cast(:u as text[])) on conflict do nothing
