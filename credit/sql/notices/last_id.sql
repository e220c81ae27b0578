-- The last notice's id: the notice feed's cursor never goes past it (docs/api.md).
select coalesce(max(id), 0) as last from notices
