-- Registered entities whose name matches the LIKE pattern :p (escape '\'), public fields only.
-- ilike is answered by the trigram index ix_registration_name_trgm where the server has pg_trgm
-- (migration 0015).
select r.uscc, r.name, r.entity_kind, r.region_code, r.status, r.established_on
from registration as r
where r.name ilike :p escape '\'
order by r.name, r.uscc
limit :l
