-- The end of the restriction behind a serious-list entry (domain.md §4: early removal waits for
-- it), as the night's removal candidates read it (rosters/removal_candidates.sql): recorded with the
-- listing, or the penalty's restricted_until delivered since. One entry by the log's primary key.
-- Parameters: :e (the entry id: the seq of its inclusion); :current false for the record as it stood
-- after a night K (known_at): then the listing's own record only, never a penalty row delivered since.
select greatest((inc.facts ->> 'restriction_ends')::date,
                (select pe.restricted_until from penalties as pe
                  where cast(:current as boolean) and pe.case_no = inc.facts ->> 'case_no'))
  from roster_decisions as inc
 where inc.seq = :e
