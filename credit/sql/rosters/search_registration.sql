-- Registered entities whose name matches the LIKE pattern :p (escape '\'), public fields only; :q is
-- the text the pattern looks for. A name can match only if it holds every character of :q, as
-- ilike compares them (lower-cased): those names come from the index ix_registration_name_chars
-- (migration 0052) and ilike checks each. Where the server has pg_trgm, the trigram index of
-- migration 0015 may answer the ilike instead.
select r.uscc, r.name, r.entity_kind, r.region_code, r.status, r.established_on
from registration as r
where string_to_array(lower(r.name), null) @> string_to_array(lower(:q), null)
  and r.name ilike :p escape '\'
order by r.name, r.uscc
limit :l
