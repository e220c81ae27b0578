-- The night's scope, its USCCs (credit.night.partitions.apply_grades keeps them to restore it).
select uscc from night_scope
