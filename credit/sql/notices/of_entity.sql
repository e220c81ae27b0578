-- The notices one entity's registration events produced, on nights up to :through (the public
-- page's 许可办理告知, credit.notices.letters): by the index of migration 0051, in production order.
-- Notices are written in their night's publishing transaction: every row here is of a published night.
select
    id, night, produced_at, department, licence, event, uscc, name, entity_kind, region_code,
    industry_code, previous_industry_code, established_on, address, matched, config_version
from notices
where uscc = :uscc
  and night <= :through
order by id
