-- The decision log's head (seq, row_hash: through the primary key, backwards) and the latest
-- published night, in one statement: every look-up answer carries them (issue 11).
select h.seq, h.row_hash, (select max(n.night) from night_runs as n) as night
  from (select 1) as one
  left join lateral (select d.seq, d.row_hash from roster_decisions as d order by d.seq desc limit 1) as h on true
