-- The bureau's notice feed: notices after a cursor (their id), in production order.
select
    id, night, produced_at, department, licence, event, uscc, name, entity_kind, region_code,
    industry_code, previous_industry_code, established_on, address, matched, config_version
from notices
where id > :after
  and (cast(:department as text) is null or department = cast(:department as text))
order by id
limit :n
