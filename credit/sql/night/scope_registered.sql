-- How many entities are registered: the size of a full night's scope (credit.night.scope.everything).
select count(*) from registration
