-- The lines of the anchor file each night's publication recorded it wrote (summary.anchor_published:
-- the line's number in <publication>/anchors.jsonl and its SHA-256), highest line first, for
-- credit audit verify and credit audit publish to know how many lines were published
-- (credit.rosters.audit.verify_chain): a deleted, emptied or shortened file is then a failure.
select night,
       (summary->'anchor_published'->>'line')::bigint as line,
       summary->'anchor_published'->>'digest' as digest
  from night_runs
 where jsonb_typeof(summary->'anchor_published') = 'object'
 order by line desc, night desc
