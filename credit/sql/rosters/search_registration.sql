-- Registered entities whose name matches the LIKE pattern :p (escape '\'), public fields only.
select r.uscc, r.name, r.entity_kind, r.region_code, r.status
from registration as r
where r.name ilike :p escape '\'
order by r.name, r.uscc
limit :l
