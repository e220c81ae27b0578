-- One file's staged accepted rows that are older than the store's row of their key (outsider's
-- report M5, credit.night.ingest.hold_stale): the row's stamp ({version}: registration's
-- updated_at, tax's and bank credit's updated_on) before the stored one's. Merged, such a row
-- would replace newer state with older state; it is held back instead. A row or a stored row
-- without a stamp (unknown) is not known to be older, and an equal stamp is not older: both are
-- merged as delivered. Returns the staged rows' lines and both stamps, as text.
-- {rows}: the source's staging table; {store}: its current table; {key}: the join on its key.
select r.line, cast(r.{version} as text) as delivered, cast(t.{version} as text) as stored
  from {rows} as r
  join {store} as t on {key}
 where r.night = :night and r.digest = :digest and r.file = :file
   and r.{version} < t.{version}
 order by r.line
