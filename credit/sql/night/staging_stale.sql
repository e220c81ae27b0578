-- One file's staged accepted rows that may not replace the store's row of their key (outsider's
-- report M5, credit.night.ingest.hold_stale), by the stamp ({version}: registration's updated_at,
-- tax's and bank credit's updated_on):
--   * older than the stored one's: merged, such a row would replace newer state with older state;
--   * empty (unknown, contracts.md §1) while the stored row has one: it is not known to be newer,
--     so which of the two is the department's latest word is ambiguous (contracts.md §1: quarantine
--     what is not unambiguous); merged, it would also wipe the stored stamp, and with it the
--     check of every later re-delivery of the key. Its delivered stamp is returned as null.
-- Both are held back instead. An equal stamp is not older, and a stored row without a stamp has
-- nothing to be newer than (nor has a row delivered without one over it): merged as delivered.
-- Returns the staged rows' lines and both stamps, as text.
-- {rows}: the source's staging table; {store}: its current table; {key}: the join on its key.
select r.line, cast(r.{version} as text) as delivered, cast(t.{version} as text) as stored
  from {rows} as r
  join {store} as t on {key}
 where r.night = :night and r.digest = :digest and r.file = :file
   and (r.{version} < t.{version} or (r.{version} is null and t.{version} is not null))
 order by r.line
