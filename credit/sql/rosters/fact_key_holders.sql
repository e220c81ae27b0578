-- The entities of the log's decisions (and drafts) held under the fact keys :k (text[]): a
-- finding's key held for another entity than the one it names now (credit.rosters.decide
-- ._own_finding_keys). Through the two partial unique indexes of migration 0002, as
-- held_fact_keys.sql.
select d.fact_key, d.uscc from roster_decisions as d
 where d.fact_key = any(cast(:k as text[])) and d.fact_key is not null and d.action <> 'propose'
union all
select d.fact_key, d.uscc from roster_decisions as d
 where d.fact_key = any(cast(:k as text[])) and d.fact_key is not null and d.action = 'propose'
