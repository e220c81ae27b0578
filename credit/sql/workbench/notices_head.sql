-- The first :l notices of a night per licensing department (the overview's short list), by id.
select n.id, n.night, n.produced_at, n.department, n.licence, n.event, n.uscc, n.name, n.entity_kind,
       n.region_code, n.industry_code, n.previous_industry_code, n.established_on, n.address, n.matched,
       n.config_version
  from (select distinct department from notices where night = :night) as d
  cross join lateral (select * from notices as x
                       where x.night = :night and x.department = d.department
                       order by x.id limit :l) as n
 order by n.department, n.id
