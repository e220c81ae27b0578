-- The decision log's head an export reflects: with a record night K, the head anchored at the end
-- of the latest night up to K; without one, the log's latest decision (officers' decisions
-- recorded since the last night included).
select seq, row_hash
  from ((select a.seq, a.row_hash
           from roster_chain_anchors a
          where cast(:k as date) is not null and a.night <= cast(:k as date)
          order by a.night desc, a.id desc
          limit 1)
        union all
        (select d.seq, d.row_hash
           from roster_decisions d
          where cast(:k as date) is null
          order by d.seq desc
          limit 1)) h
