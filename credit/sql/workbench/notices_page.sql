-- One page of a night's notices (one department's, when named), by department then id; :l is one
-- more than a page.
select id, night, produced_at, department, licence, event, uscc, name, entity_kind, region_code,
       industry_code, previous_industry_code, established_on, address, matched, config_version
  from notices
 where night = :night
   and (cast(:department as text) is null or department = cast(:department as text))
 order by department, id
 limit :l offset :o
