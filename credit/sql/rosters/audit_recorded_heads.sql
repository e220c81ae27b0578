-- The decision log's head each published night recorded in its summary (rosters.chain_head), for
-- credit audit verify to hold against the chain (credit.rosters.audit.verify_chain).
select night,
       (summary->'rosters'->'chain_head'->>'seq')::bigint as seq,
       summary->'rosters'->'chain_head'->>'hash' as hash
  from night_runs
 where jsonb_typeof(summary->'rosters'->'chain_head') = 'object'
