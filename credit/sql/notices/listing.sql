-- The notices a night produced, per department (credit notices, the bureau page).
select
    id, night, produced_at, department, licence, event, uscc, name, entity_kind, region_code,
    industry_code, previous_industry_code, established_on, address, matched, config_version
from notices
where night = :night
  and (cast(:department as text) is null or department = cast(:department as text))
order by department, id
