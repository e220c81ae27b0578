-- The head each night left behind in the decision log, for the published anchors
-- (credit.rosters.anchors.append_missing_anchors): its last anchor (a night anchors once; a
-- re-decided test night may anchor twice), for every night after :after (null: every night).
select distinct on (night) night, seq, row_hash
  from roster_chain_anchors
 where cast(:after as date) is null or night > cast(:after as date)
 order by night, seq desc
