-- How many entities the night's scope holds (credit.night.scope).
select count(*) from night_scope
