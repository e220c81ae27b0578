-- The record as it stood after night :k (credit.rosters.known.known_at): the latest published night
-- on or before :k (null before the first: refused), the log's head then, and the last application
-- on record then (the chain anchors, migration 0036).
select (select max(r.night) from night_runs as r where r.night <= :k),
       coalesce(max(seq), 0),
       (select a.request_id from roster_chain_anchors as a where a.night <= :k
         order by a.night desc, a.seq desc limit 1)
  from roster_chain_anchors
 where night <= :k
