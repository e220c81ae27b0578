-- The night's scope restricted to one region: the entities whose division code (USCC characters
-- 3 to 8) starts with :p, of :k digits (credit.night.scope.restrict_to_region).
delete from night_scope where substr(uscc, 3, :k) <> :p
