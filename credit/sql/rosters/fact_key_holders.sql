-- The entities of the log's decisions (and drafts) held under the fact keys :k (text[]): a
-- finding's key held for another entity than the one it names now, or for a listing of the same
-- entity revoked because the finding had been corrected to name another (reassigned: its closing
-- decision, key close:<seq>, says finding_reassigned; credit.rosters.decide._own_finding_keys, which
-- also counts the listings (seq) revoked so tonight, whose closing decision is not appended yet).
-- Through the two partial unique indexes of migration 0002, as held_fact_keys.sql.
with held as (
    select d.seq, d.fact_key, d.uscc from roster_decisions as d
     where d.fact_key = any(cast(:k as text[])) and d.fact_key is not null and d.action <> 'propose'
    union all
    select d.seq, d.fact_key, d.uscc from roster_decisions as d
     where d.fact_key = any(cast(:k as text[])) and d.fact_key is not null and d.action = 'propose'
)
select h.seq, h.fact_key, h.uscc,
       exists (select 1 from roster_decisions as v
                where v.fact_key = 'close:' || h.seq and v.action <> 'propose'
                  and v.facts ->> 'finding_reassigned' = 'true') as reassigned
  from held as h
