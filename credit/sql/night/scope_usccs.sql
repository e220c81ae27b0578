-- The night's scope, its USCCs in order (credit.night.scope).
select uscc from night_scope order by uscc
